//! prom-graphite: under construction.
