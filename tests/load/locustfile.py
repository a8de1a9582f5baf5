# tests/load/locustfile.py: the Locust run of tests/cli/t_loadrun.sh.
import gevent
from locust import HttpUser, events, task

USERS, EACH = 4, 20	# t_loadrun.sh runs -u 4


class Visitor(HttpUser):
    """Each user makes 20 requests quickly, then idles until the run
    ends, so the last CSV snapshot holds every request."""
    done = 0

    def wait_time(self):
        return 0.01 if self.done < EACH else 60

    @task(3)
    def items(self):
        if self.done < EACH:
            self.done += 1
            self.client.get("/items")

    @task
    def missing(self):
        if self.done < EACH:
            self.done += 1
            self.client.get("/missing")


@events.test_start.add_listener
def stop_when_done(environment, **kwargs):
    """Locust 2.12 writes its CSV as a snapshot once a second, and prints
    its final table at the end: on a loaded machine a fixed -t could end
    the run before the last snapshot held every request.  So the run
    ends itself once all requests are made and two snapshots have been
    taken since (-t stays as a cap)."""
    def watch():
        while environment.stats.total.num_requests < USERS * EACH:
            gevent.sleep(0.1)
        gevent.sleep(2.5)
        environment.runner.quit()
    gevent.spawn(watch)
