"""Everything Sluis knows about files, without Django: the format registry (``registry``) and
its sniffers (``magic``), content sniffing (``sniffing``), archive inspection and capped
extraction (``archives``), the pre-flight checks (``preflight``), the records passed to readers
and processors (``records``) and every typed error of processing (``errors``)."""
