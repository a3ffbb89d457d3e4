"""Azure Data Factory automation (F12 pipelines, F13 run schedules): from a Purview asset to a copy pipeline.

Pure parts — source resolution (`stores`), names (`names`), resource JSON (`builders`), the run-schedule grammar
(`schedule`) — have no I/O, so every rule ADF or CluedIn imposes is unit-tested on plain data. The I/O parts
(`client`, `provision`, `runs`, `triggers`) are shared by the HTTP function and the timer features, so a pipeline
made on request and one made by term automation are the same pipeline with the same state row.
"""
