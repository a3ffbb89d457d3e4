"""Azure Functions entry point (Python v2 programming model). Wiring only: all logic lives in sync/."""

import azure.functions as func

from sync.triggers import adf_http, appliers, http_api, sync_timers

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(sync_timers.bp)
app.register_functions(appliers.bp)
app.register_functions(http_api.bp)
app.register_functions(adf_http.bp)
