"use strict";
// The admin's scheduling form:
// - shows only the field its "When" choice needs (the date and time picker for "At a
//   time", the seconds for "After a delay", neither for "Now");
// - draws one input per parameter of the chosen task, by its type hint, each writing
//   its value into the kwargs JSON. The JSON fields stay what is sent: edit them by
//   hand for anything the inputs don't cover (positional-only, *args, **kwargs).
(function () {
  const NEEDS = { run_at: "at", delay: "delay" };

  function showWhatWhenNeeds(form) {
    const checked = form.querySelector("input[name=when]:checked");
    const when = checked ? checked.value : "now";
    for (const [name, choice] of Object.entries(NEEDS)) {
      const row = form.querySelector(".field-" + name);
      if (row) {
        row.style.display = when === choice ? "" : "none";
      }
    }
  }

  function readKwargs(form) {
    try {
      const value = JSON.parse(form.elements.kwargs.value || "{}");
      return value && typeof value === "object" && !Array.isArray(value) ? value : null;
    } catch (error) {
      return null;
    }
  }

  function parse(parameter, input) {
    const text = input.value.trim();
    if (text === "") {
      return { empty: true };
    }
    if (parameter.input === "integer" || parameter.input === "number") {
      const number = Number(text);
      const whole = parameter.input === "number" || Number.isInteger(number);
      return Number.isFinite(number) && whole ? { value: number } : { error: "Enter a " + (whole ? "number" : "whole number") };
    }
    if (parameter.input === "boolean") {
      return { value: text === "true" };
    }
    if (parameter.input === "choice") {
      return { value: parameter.choices[Number(text)] };
    }
    if (parameter.input === "string") {
      return { value: input.value };
    }
    try {
      return { value: JSON.parse(text) };
    } catch (error) {
      return { error: "Not valid JSON" };
    }
  }

  function write(form, parameter, input) {
    const kwargs = readKwargs(form);
    const parsed = parse(parameter, input);
    input.setCustomValidity(parsed.error || "");
    input.title = parsed.error || "";
    if (kwargs === null || parsed.error) {
      return;
    }
    if (parsed.empty) {
      delete kwargs[parameter.name];
    } else {
      kwargs[parameter.name] = parsed.value;
    }
    form.elements.kwargs.value = Object.keys(kwargs).length ? JSON.stringify(kwargs) : "";
  }

  function select(options) {
    const element = document.createElement("select");
    for (const [value, label] of options) {
      element.append(new Option(label, value));
    }
    return element;
  }

  function inputFor(parameter) {
    const fallback = parameter.default === null ? "" : "default " + parameter.default;
    if (parameter.input === "boolean") {
      return select([["", fallback || "—"], ["true", "true"], ["false", "false"]]);
    }
    if (parameter.input === "choice") {
      return select([["", fallback || "—"], ...parameter.choices.map((c, i) => [String(i), JSON.stringify(c)])]);
    }
    const element = document.createElement("input");
    element.type = parameter.input === "integer" || parameter.input === "number" ? "number" : "text";
    if (element.type === "number") {
      element.step = parameter.input === "integer" ? "1" : "any";
    }
    element.placeholder = parameter.input === "json" ? (fallback || "JSON") : fallback;
    return element;
  }

  function row(form, parameter) {
    const div = document.createElement("div");
    div.className = "form-row task-parameter field-param-" + parameter.name;
    const container = document.createElement("div");
    container.className = "flex-container";
    const label = document.createElement("label");
    label.textContent = parameter.name + ":";
    label.className = parameter.required ? "required" : "";
    container.append(label);
    if (parameter.input === "json-only") {
      const note = document.createElement("div");
      note.className = "help";
      note.textContent = "Give it in the JSON fields below.";
      container.append(note);
    } else {
      const input = inputFor(parameter);
      input.id = label.htmlFor = "id_param_" + parameter.name;
      input.dataset.parameter = parameter.name;
      const current = (readKwargs(form) || {})[parameter.name];
      if (current !== undefined && input.tagName === "INPUT") {
        input.value = typeof current === "string" && parameter.input === "string" ? current : JSON.stringify(current);
      }
      input.addEventListener("input", () => write(form, parameter, input));
      input.addEventListener("change", () => write(form, parameter, input));
      container.append(input);
    }
    div.append(container);
    return div;
  }

  function drawParameters(form, tasks) {
    const box = document.getElementById("task-parameters");
    box.replaceChildren(...(tasks[form.elements.task.value] || []).map((p) => row(form, p)));
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("schedule-job-form");
    if (!form) {
      return;
    }
    const tasks = JSON.parse(document.getElementById("task-forms").textContent);
    form.addEventListener("change", function (event) {
      if (event.target.name === "when") {
        showWhatWhenNeeds(form);
      }
      if (event.target.name === "task") {
        form.elements.kwargs.value = "";
        drawParameters(form, tasks);
      }
    });
    showWhatWhenNeeds(form);
    drawParameters(form, tasks);
  });
})();
