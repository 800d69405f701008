"""``jobguard audit``: check the jobs already running on a Nomad cluster, once or continuously (``--watch``).

Admission checks only guard what is submitted from now on; the first question of a team adopting jobguard (or adding
a policy) is "which running jobs break it?". This package answers it with the same engine and ``jobguard.hcl`` as
``jobguard check``:

* :mod:`.settings`  where the cluster is and how to reach it (flags, ``NOMAD_*`` variables like the nomad CLI,
                    the ``audit { }`` block), and the secrets every output must not show;
* :mod:`.client`    the few Nomad API reads an audit needs (job list stubs, job read, namespaces, regions, the
                    event stream), with retries, ``X-Nomad-Index`` and clear errors;
* :mod:`.selection` which listed jobs are audited (stopped/dead ones, periodic and dispatched children);
* :mod:`.evaluate`  the only module that talks to the engine and the report model;
* :mod:`.run`       one audit of the cluster -> a ``RunResult`` (every report format works);
* :mod:`.watch`     ``--watch``: the event stream, re-checks, the live table, metrics and the change log;
* :mod:`.service`   the watcher inside ``jobguard serve`` (the ``audit { }`` block).
"""
