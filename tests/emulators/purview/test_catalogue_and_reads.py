"""Built-in catalogue, typedef listing and entity read shapes as live Purview has them (issue 11, items 5, 8, 9).

Evidence: the Azure SDK's recorded live responses (`test_smoke.pyTestDataMapSmoketest_basic_smoke_test.json`:
all seven typedef keys, `MICROSOFT.BASE.CLASSIFICATION` supertypes with `options.displayName`, DataSet ends
`represents`/`pipeline`/`model`/`sources`/`sinks`; `..._list_by_guids.json`: `isIncomplete`, `provenanceType`,
`contacts`, `labels`, `displayText`, `proxy`, `replicatedTo/From`), pyapacheatlas' samples (hive tables and
columns, `sinks` lineage without a process) and the payloads of Microsoft's Databricks lineage accelerator.
"""

from __future__ import annotations

from typing import Any

from pyapacheatlas.core import AtlasEntity

from tests.emulators.purview.helpers import dataset, paa_client, sdk_client, upsert

TYPEDEF_KEYS = {
    "enumDefs", "structDefs", "classificationDefs", "entityDefs", "relationshipDefs", "businessMetadataDefs",
    "termTemplateDefs",
}  # fmt: skip
BASE = "MICROSOFT.BASE.CLASSIFICATION"


def test_sdk_smoke_test_typedef_keys(purview):
    assert set(sdk_client(purview).type_definition.get().keys()) == TYPEDEF_KEYS  # the SDK's own smoke test
    only_entities = purview.session().get(f"{purview.datamap_url}/atlas/v2/types/typedefs?type=ENTITY").json()
    assert set(only_entities) == TYPEDEF_KEYS and only_entities["classificationDefs"] == []


def test_system_classifications_have_the_base_supertype_and_a_display_name(purview):
    client = sdk_client(purview)
    defs = client.type_definition.get(type="CLASSIFICATION")["classificationDefs"]
    system = [
        d
        for d in defs
        if d["name"].startswith("MICROSOFT.") and d["name"] not in (BASE, "MICROSOFT.POWERBI.ENDORSEMENT")
    ]
    assert len(system) >= 45
    for item in system:
        assert item["superTypes"] == [BASE], item["name"]
        assert item["options"]["displayName"] == item["description"], item["name"]
    chile = client.type_definition.get_classification_by_name("MICROSOFT.GOVERNMENT.CHILE.CDI_NUMBER")
    assert (chile["description"], chile["options"], chile["attributeDefs"]) == (
        "Chile Identity Card Number",
        {"displayName": "Chile Identity Card Number"},
        [],
    )
    assert "MICROSOFT.PERSONAL.EMAIL" in client.type_definition.get_classification_by_name(BASE)["subTypes"]


def _ends(purview, type_name):
    entity_def = sdk_client(purview).type_definition.get_entity_by_name(type_name)
    return entity_def["superTypes"], {
        d["name"]: d["relationshipTypeName"] for d in entity_def["relationshipAttributeDefs"]
    }


def test_source_catalogue_names_supertypes_and_relationship_ends(purview):
    assert _ends(purview, "hive_table")[1]["columns"] == "hive_table_columns"
    assert _ends(purview, "hive_column")[0] == ["DataSet"]
    assert _ends(purview, "hive_db")[1]["tables"] == "hive_table_db"
    assert _ends(purview, "databricks_process")[0] == ["Process"]
    assert _ends(purview, "databricks_notebook_task")[1]["notebook"] == "databricks_notebook_tasks"
    assert _ends(purview, "mssql_table")[1]["columns"] == "mssql_table_columns"
    assert _ends(purview, "azure_sql_mi_table")[1]["dbSchema"] == "azure_sql_mi_schema_tables"
    assert _ends(purview, "powerbi_report")[1]["workspace"] == "powerbi_workspace_reports"
    dataset_ends = _ends(purview, "azure_sql_table")[1]
    assert {"represents", "pipeline", "model", "sources", "sinks"} <= set(dataset_ends)
    assert dataset_ends["sources"] == dataset_ends["sinks"] == "direct_lineage_dataset_dataset"
    entity_def = sdk_client(purview).type_definition.get_entity_by_name("azure_sql_table")
    assert "overallScore" in {a["name"] for a in entity_def["businessAttributeDefs"]["PurviewDataQuality"]}
    headers = purview.session().get(f"{purview.datamap_url}/atlas/v2/types/typedefs/headers?type=STRUCT").json()
    assert {"category": "STRUCT", "name": "hive_order", "serviceType": "hive"}.items() <= next(
        h for h in headers if h["name"] == "hive_order"
    ).items()


def test_pyapacheatlas_hive_table_with_columns_sample(purview):
    client = paa_client(purview)
    table = AtlasEntity("rel10", "hive_table", "tests://rel10", guid="-1")
    columns = [
        AtlasEntity(f"rel10#0{i}", "hive_column", f"tests://rel10#c{i}", guid=f"-{i + 1}", attributes={"type": "str"})
        for i in range(1, 4)
    ]
    table.addRelationship(columns=[c.to_json(minimum=True) for c in columns])
    guids = client.upload_entities(batch=[table, *columns])["guidAssignments"]
    read = client.get_entity(guids["-1"])
    assert len(read["entities"][0]["relationshipAttributes"]["columns"]) == 3
    assert {e["typeName"] for e in read["referredEntities"].values()} == {"hive_column"}  # composition children


def _accelerator_entity(
    type_name: str, guid: int, qualified_name: str, name: str, related: dict[str, str], **attributes: Any
) -> dict[str, Any]:
    """An entity as the accelerator's parser builds it: relationship ends given by bare `qualifiedName`."""
    return {
        "typeName": type_name,
        "guid": guid,
        "attributes": {"name": name, "qualifiedName": qualified_name, **attributes},
        "relationshipAttributes": {end: {"qualifiedName": other} for end, other in related.items()},
    }


def test_accelerator_shaped_databricks_lineage_upload(purview):
    s, base = purview.session(), f"{purview.url}/catalog/api/atlas/v2"
    path = "https://acct.dfs.core.windows.net/raw/"
    scanned = [dataset("azure_datalake_gen2_path", f"{path}{n}") for n in ("in.csv", "out.csv")]
    upsert(s, purview.datamap_url, *scanned)
    ws = "databricks://adb-1.azuredatabricks.net"
    job, notebook, task = f"{ws}/jobs/7", f"{ws}/notebooks/Shared/etl", f"{ws}/jobs/7/tasks/etl"
    process_attributes = {
        "inputs": [{"typeName": "azure_datalake_gen2_path", "uniqueAttributes": {"qualifiedName": f"{path}in.csv"}}],
        "outputs": [{"typeName": "azure_datalake_gen2_path", "uniqueAttributes": {"qualifiedName": f"{path}out.csv"}}],
    }
    entities = [
        _accelerator_entity("databricks_workspace", -1000, ws, "adb-1.azuredatabricks.net", {}),
        _accelerator_entity("databricks_job", -1001, job, "7", {"workspace": ws}, jobId=7),
        _accelerator_entity("databricks_notebook", -1002, notebook, "etl", {"workspace": ws}),
        _accelerator_entity(
            "databricks_notebook_task",
            -1003,
            task,
            "etl",
            {"job": job, "notebook": notebook},
            notebookPath="/Shared/etl",
        ),
        _accelerator_entity(
            "databricks_process", -1004, f"{task}/processes/A->B", "etl", {"task": task}, **process_attributes
        ),
    ]
    response = s.post(f"{base}/entity/bulk", json={"entities": entities})
    assert response.status_code == 200, response.text
    ids = response.json()["guidAssignments"]
    process = s.get(f"{base}/entity/guid/{ids['-1004']}").json()["entity"]
    assert process["relationshipAttributes"]["task"]["guid"] == ids["-1003"]
    assert [i["uniqueAttributes"]["qualifiedName"] for i in process["attributes"]["inputs"]] == [f"{path}in.csv"]
    job_read = s.get(f"{base}/entity/guid/{ids['-1001']}").json()["entity"]
    assert [t["guid"] for t in job_read["relationshipAttributes"]["tasks"]] == [ids["-1003"]]


def test_entity_reads_carry_the_live_fields(purview):
    s, base = purview.session(), purview.datamap_url
    ids = upsert(s, base, {
        "typeName": "azure_sql_table", "guid": -1,
        "attributes": {"qualifiedName": "mssql://s/d/dbo/t", "name": "t", "userDescription": "curated text"},
    })["guidAssignments"]  # fmt: skip
    entity = sdk_client(purview).entity.get(ids["-1"])["entity"]
    assert {k: entity[k] for k in ("isIncomplete", "provenanceType", "proxy", "displayText", "labels", "contacts")} == {
        "isIncomplete": False, "provenanceType": 0, "proxy": False, "displayText": "t", "labels": [], "contacts": {},
    }  # fmt: skip
    attributes = entity["attributes"]
    assert (attributes["userDescription"], attributes["replicatedTo"], attributes["replicatedFrom"]) == (
        "curated text", None, None,
    )  # fmt: skip
    rels = entity["relationshipAttributes"]
    assert (rels["represents"], rels["pipeline"], rels["model"], rels["sources"], rels["sinks"]) == (
        None,
        None,
        None,
        [],
        [],
    )


def test_direct_lineage_with_sinks_as_the_pyapacheatlas_sample_writes_it(purview):
    client = paa_client(purview)
    source = AtlasEntity("input01", "DataSet", "pyapacheatlas://sourceLineageSample01", guid="-100")
    sink = AtlasEntity("output01", "DataSet", "pyapacheatlas://sinkLineageSample02", guid="-101")
    source.addRelationship(sinks=[sink])
    ids = client.upload_entities(batch=[sink, source])["guidAssignments"]
    sink_read = client.get_single_entity(ids["-101"])["entity"]
    assert [r["guid"] for r in sink_read["relationshipAttributes"]["sources"]] == [ids["-100"]]
    assert sink_read["relationshipAttributes"]["sources"][0]["relationshipType"] == "direct_lineage_dataset_dataset"
    lineage = client.get_entity_lineage(ids["-101"], direction="INPUT")
    assert lineage["relations"] and lineage["relations"][0]["fromEntityId"] == ids["-100"]
    assert lineage["relations"][0]["toEntityId"] == ids["-101"]


def test_represents_a_data_domain_and_data_quality_business_metadata(purview):
    s, base = purview.session(), purview.datamap_url
    domain = {
        "typeName": "Purview_DataDomain",
        "guid": -1,
        "attributes": {"qualifiedName": "Purview_DataDomain://Sales", "name": "Sales"},
    }
    table = {
        "typeName": "azure_sql_table", "guid": -2, "attributes": {"qualifiedName": "mssql://s/d/dbo/x", "name": "x"},
        "relationshipAttributes": {"represents": {"guid": -1}},
        "businessAttributes": {"PurviewDataQuality": {"overallScore": 0.93}},
    }  # fmt: skip
    ids = upsert(s, base, domain, table)["guidAssignments"]
    read = s.get(f"{base}/atlas/v2/entity/guid/{ids['-2']}").json()["entity"]
    assert read["relationshipAttributes"]["represents"]["guid"] == ids["-1"]
    assert read["businessAttributes"] == {"PurviewDataQuality": {"overallScore": 0.93}}
    represented = s.get(f"{base}/atlas/v2/entity/guid/{ids['-1']}").json()["entity"]["relationshipAttributes"]
    assert [r["guid"] for r in represented["isRepresentedBy"]] == [ids["-2"]]
