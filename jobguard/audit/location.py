"""How an audited job is named in reports: ``nomad://HOST:PORT/v1/job/ID?namespace=NS#version=V``.

Reports are built around files; a running job has no file. Its "file" is therefore a URI that says where the job
was read (the API path an operator can ``curl``, without scheme or credentials) and which version was judged:

* a valid absolute URI, so SARIF's ``artifactLocation.uri``, JUnit suite names and JSON ``file`` stay valid (SARIF
  consumers show it as is; it is never mistaken for a path in the repository);
* the job ID is percent-encoded in the path (IDs may contain ``/`` or spaces), namespace and region are query
  parameters as in the API call, and the version is the fragment (it names a view of the resource, and Nomad's
  job read takes no version parameter);
* never the token, never user info from the address.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode


def api_path(job_id: str, namespace: str, region: str = "") -> str:
    """``/v1/job/ID?namespace=NS[&region=R]``: the read that returned the job."""
    query = {"namespace": namespace, **({"region": region} if region else {})}
    return f"/v1/job/{quote(job_id, safe='')}?{urlencode(query, quote_via=quote)}"


def job_uri(host: str, job_id: str, namespace: str, version: int | None = None, region: str = "") -> str:
    """The pseudo-file of a job read from the API at ``host`` (``host:port[/prefix]``)."""
    uri = f"nomad://{host}{api_path(job_id, namespace, region)}"
    return uri if version is None else f"{uri}#version={version}"
