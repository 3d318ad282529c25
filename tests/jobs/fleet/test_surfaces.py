"""Operating the fleet from every surface, with permissions: the service, REST, GraphQL,
the admin and the dashboard read the same pools and send the same requests."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from graphene.utils.str_converters import to_camel_case

from jobs.api.serializers.fleet import FleetWorkerSerializer, PoolSerializer
from jobs.engine.fleet import control
from jobs.exceptions import Conflict, Invalid, NotFound, PermissionMissing
from jobs.graphql.schema import schema
from jobs.models import FleetWorker
from jobs.services import fleet, shapes
from tests.factories import staff, token_client, user_with
from tests.jobs.graphql.client import data

pytestmark = pytest.mark.django_db(transaction=True)
VIEW, RESIZE, STOP = "view_fleet", "resize_pool", "stop_worker"


@pytest.fixture
def rows() -> list[FleetWorker]:
    """Two live processes of the example project's "general" pool and one that went."""
    return [
        FleetWorker.objects.create(
            name="general.a.1", pool="general", host="a", pid=11, state="running", busy=1, memory_mb=80
        ),
        FleetWorker.objects.create(
            name="general.b.1", pool="general", host="b", pid=12, state="running", healthy=False, memory_mb=70
        ),
        FleetWorker.objects.create(name="general.a.0", pool="general", host="a", pid=10, state="gone"),
    ]


def test_the_pool_view_counts_live_processes_only(rows):
    [general] = fleet.list_pools()
    assert (general.processes, general.busy, general.slots) == (2, 1, 2)
    assert (general.healthy, general.unhealthy, general.memory_mb, general.hosts) == (1, 1, 150.0, ("a", "b"))
    assert (general.min_workers, general.max_workers, general.pinned) == (2, 4, None)


def test_resize_pins_unpins_and_refuses_what_makes_no_sense(redis):
    assert fleet.resize_pool("general", 3).pinned == 3
    assert control.pins(redis, ["general"]) == {"general": 3}
    assert fleet.resize_pool("general", None).pinned is None
    for bad in (-1, 5, "3", True, 2.5):
        with pytest.raises(Invalid, match="whole number from 0 to 4"):
            fleet.resize_pool("general", bad)
    with pytest.raises(NotFound):
        fleet.resize_pool("nope", 1)
    assert control.pins(redis, ["general"]) == {}, "a refused resize changes nothing"


def test_stop_asks_the_workers_own_host_once(rows, redis):
    fleet.stop_worker("general.b.1")
    assert control.stop_requests(redis, "b") == ["general.b.1"]
    assert control.stop_requests(redis, "b") == [], "a request is taken once"
    with pytest.raises(Conflict):
        fleet.stop_worker("general.a.0")
    with pytest.raises(NotFound):
        fleet.stop_worker("nobody")


def test_actions_need_their_permission(rows):
    viewer = user_with(VIEW, username="viewer")
    with pytest.raises(PermissionMissing):
        fleet.resize_pool("general", 3, user=viewer)
    with pytest.raises(PermissionMissing):
        fleet.stop_worker("general.a.1", user=viewer)


def test_rest_and_graphql_show_the_shared_shapes():
    assert tuple(PoolSerializer().fields) == shapes.POOL_FIELDS
    assert tuple(FleetWorkerSerializer().fields) == shapes.FLEET_WORKER_FIELDS
    for type_name, shape in (
        ("PoolType", shapes.POOL_FIELDS),
        ("FleetWorkerType", shapes.FLEET_WORKER_FIELDS),
    ):
        assert set(schema.graphql_schema.get_type(type_name).fields) == {to_camel_case(f) for f in shape}


def test_rest(rows, redis):
    viewer = token_client(user_with(VIEW, username="viewer"))
    operator = token_client(user_with(VIEW, RESIZE, STOP, username="operator"))
    [pool] = viewer.get("/api/pools/").json()
    assert (pool["name"], pool["processes"], pool["unhealthy"]) == ("general", 2, 1)
    assert viewer.get("/api/pools/general/").json()["name"] == "general"
    assert viewer.get("/api/pools/nope/").status_code == 404
    assert [w["name"] for w in viewer.get("/api/fleet-workers/").json()] == ["general.a.1", "general.b.1"]
    assert viewer.post("/api/pools/general/resize/", {"workers": 3}, format="json").status_code == 403
    assert viewer.post("/api/fleet-workers/general.a.1/stop/").status_code == 403
    assert operator.post("/api/pools/general/resize/", {"workers": 9}, format="json").status_code == 400
    assert operator.post("/api/pools/general/resize/", {"size": 1}, format="json").status_code == 400
    assert operator.post("/api/pools/general/resize/", {"workers": 3}, format="json").json()["pinned"] == 3
    assert operator.post("/api/fleet-workers/general.a.1/stop/").status_code == 200
    assert operator.post("/api/fleet-workers/nobody/stop/").status_code == 404
    assert control.stop_requests(redis, "a") == ["general.a.1"]
    assert token_client(user_with(username="nobody")).get("/api/pools/").status_code == 403


def test_graphql(rows, redis):
    viewer = token_client(user_with(VIEW, username="viewer"))
    operator = token_client(user_with(VIEW, RESIZE, STOP, username="operator"))
    read = data(
        viewer,
        "{ pools { name processes busy slots healthy unhealthy memoryMb pinned } "
        "fleetWorkers { name healthy } }",
    )
    assert read["pools"][0]["processes"] == 2 and len(read["fleetWorkers"]) == 2
    resize = (
        'mutation { resizePool(name: "general", workers: %s) { pool { pinned } errors { code message } } }'
    )
    refused = data(viewer, resize % 3)["resizePool"]
    assert refused["errors"][0]["code"] == "permission_denied" and refused["pool"] is None
    assert data(operator, resize % 9)["resizePool"]["errors"][0]["code"] == "invalid"
    assert data(operator, resize % 3)["resizePool"]["pool"]["pinned"] == 3
    stop = data(operator, 'mutation { stopWorker(name: "general.a.1") { worker { name } errors { code } } }')
    assert stop["stopWorker"]["worker"]["name"] == "general.a.1"
    assert control.stop_requests(redis, "a") == ["general.a.1"]


def test_admin(rows, redis):
    client = Client()
    staff(client, VIEW, username="viewer")
    changelist = reverse("admin:jobs_fleetworker_changelist")
    page = client.get(changelist).content.decode()
    assert 'id="pool-general"' in page and "general.b.1" in page and "Resize" not in page
    assert client.post(changelist + "pools/general/resize/", {"workers": "3"}).status_code == 403

    operator = Client()
    staff(operator, VIEW, RESIZE, STOP, username="operator")
    operator.post(changelist + "pools/general/resize/", {"workers": "3"})
    assert control.pins(redis, ["general"]) == {"general": 3}
    answer = operator.post(changelist + "pools/general/resize/", {"workers": "lots"}, follow=True)
    assert "whole number or &#x27;auto&#x27;" in answer.content.decode()
    operator.post(changelist, {"action": "stop_gracefully", "_selected_action": [rows[0].pk]})
    assert control.stop_requests(redis, "a") == ["general.a.1"]
    assert Client().get(changelist).status_code == 302, "anonymous people log in first"


def test_dashboard(rows, redis):
    client = Client()
    staff(client, VIEW, username="viewer")
    page = client.get(reverse("dashboard:fleet")).content.decode()
    assert 'id="pool-general"' in page and "unhealthy" in page and "Shut down" not in page
    assert (
        client.post(reverse("dashboard:fleet-resize", args=["general"]), {"workers": "3"}).status_code == 403
    )

    operator = Client()
    staff(operator, VIEW, RESIZE, STOP, username="operator")
    operator.post(reverse("dashboard:fleet-resize", args=["general"]), {"workers": "3"})
    assert control.pins(redis, ["general"]) == {"general": 3}
    answer = operator.post(
        reverse("dashboard:fleet-resize", args=["general"]), {"workers": "-2"}, follow=True
    )
    assert "whole number from 0 to 4" in answer.content.decode()
    operator.post(reverse("dashboard:fleet-resize", args=["general"]), {"workers": "auto"})
    assert control.pins(redis, ["general"]) == {}
    operator.post(reverse("dashboard:fleet-stop", args=["general.a.1"]))
    assert control.stop_requests(redis, "a") == ["general.a.1"]
    assert Client().get(reverse("dashboard:fleet")).status_code == 302
    nobody = Client()
    staff(nobody, username="nobody")
    assert nobody.get(reverse("dashboard:fleet")).status_code == 403
