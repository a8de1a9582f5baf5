# tests/load/locustfile.py: the Locust run of tests/cli/t_loadrun.sh.
from locust import HttpUser, task


class Visitor(HttpUser):
    """Each user makes 20 requests quickly, then idles until the run
    ends, so the last CSV snapshot holds every request."""
    done = 0

    def wait_time(self):
        return 0.01 if self.done < 20 else 60

    @task(3)
    def items(self):
        if self.done < 20:
            self.done += 1
            self.client.get("/items")

    @task
    def missing(self):
        if self.done < 20:
            self.done += 1
            self.client.get("/missing")
