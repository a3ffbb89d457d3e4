"""Azure Functions blueprints: timers that plan, queue functions that apply, HTTP endpoints. Wiring only."""
