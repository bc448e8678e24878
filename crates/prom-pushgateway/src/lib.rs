//! prom-pushgateway: under construction.
