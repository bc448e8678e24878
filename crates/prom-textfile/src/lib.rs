//! prom-textfile: under construction.
