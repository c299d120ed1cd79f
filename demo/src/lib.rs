//! Demo merchant shop backend for the gopay-widget.
