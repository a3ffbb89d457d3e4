"""Azure Functions entry point (Python v2 programming model). Wiring only: all logic lives in sync/."""

import azure.functions as func

from sync.triggers import adf_http, http_api, operator_http, purview_events, queues, timers

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(timers.bp)
app.register_functions(queues.bp)
app.register_functions(http_api.bp)
app.register_functions(adf_http.bp)
app.register_functions(operator_http.bp)
app.register_functions(purview_events.bp)
