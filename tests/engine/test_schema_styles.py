"""The schema rebuild reads both compilations of the generated bindings and refuses a
rebuild that found too little (no jsii: synthetic tarballs in both styles)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from mlops_tools.offline.provider_schema import (
    MIN_DATA_SOURCES,
    MIN_RESOURCE_TYPES,
    SchemaBuildError,
    build_schema,
    check_schema,
    load_schema,
    provider_schemas,
    read_bindings,
)

_ATTR = '''
            {name}: {{
                value: {value},
                isBlock: {block},
                type: "{kind}",
                storageClassType: "{storage}",
            }},'''


def _hcl(fields: list[tuple[str, str, str, str, str]]) -> str:
    return "".join(_ATTR.format(name=n, value=v, block=b, kind=k, storage=s) for n, v, b, k, s in fields)


def _struct_function(core: str) -> str:
    fields = [("workspace_id", f"{core}.stringToHclTerraform(struct.workspaceId)", "false", "simple", "string")]
    return (f"function thingSettingsToHclTerraform(struct) {{\n    const attrs = {{{_hcl(fields)}\n    }};\n"
            "    return attrs;\n}\n")


def _resource_fields(core: str) -> list[tuple[str, str, str, str, str]]:
    return [
        ("name", f"{core}.stringToHclTerraform(this._name)", "false", "simple", "string"),
        ("tags", f"{core}.hashMapperHcl({core}.stringToHclTerraform)(this._tags)", "false", "map", "stringMap"),
        ("settings", "thingSettingsToHclTerraform(this._settings.internalValue)", "true", "list",
         "ThingSettingsList"),
    ]


def _getters() -> str:
    return '''
    get name() {
        return this.getStringAttribute('name');
    }
    set name(value) {
        this._name = value;
    }
    get url() {
        return this.getStringAttribute('url');
    }
    get settings() {
        return this._settings;
    }
'''


def _class_fields_js(class_name: str, type_name: str, *, with_fields: bool = True) -> str:
    """CDK Terrain style: ES2022 static and instance class fields inside the class body."""
    hcl = _hcl(_resource_fields("cdktn")) if with_fields else ""
    return (
        f'class {class_name} extends cdktn.TerraformResource {{\n'
        f'    static [JSII_RTTI_SYMBOL_1] = {{ fqn: "p.{class_name}", version: "1.0.0" }};\n'
        f'    static tfResourceType = "{type_name}";\n'
        '    constructor(scope, id, config) {\n        super(scope, id, {});\n    }\n'
        '    // name - computed: false, optional: false, required: true\n    _name;\n'
        + _getters() +
        '    // settings - computed: false, optional: true, required: false\n'
        '    _settings = new ThingSettingsOutputReference(this, "settings");\n'
        f'    synthesizeHclAttributes() {{\n        const attrs = {{{hcl}\n        }};\n        return attrs;\n    }}\n'
        '}\n'
    )


def _assignment_js(class_name: str, type_name: str) -> str:
    """cdktf style: members assigned in the constructor and after the class."""
    return (
        f'class {class_name} extends cdktf.TerraformResource {{\n'
        '    constructor(scope, id, config) {\n        super(scope, id, {});\n'
        '        // settings - computed: false, optional: true, required: false\n'
        '        this._settings = new ThingSettingsOutputReference(this, "settings");\n    }\n'
        + _getters() +
        f'    synthesizeHclAttributes() {{\n        const attrs = {{{_hcl(_resource_fields("cdktf"))}\n        }};\n'
        '        return attrs;\n    }\n}\n'
        f'exports.{class_name} = {class_name};\n_a = JSII_RTTI_SYMBOL_1;\n'
        f'{class_name}[_a] = {{ fqn: "p.{class_name}", version: "1.0.0" }};\n'
        f'{class_name}.tfResourceType = "{type_name}";\n'
    )


def _provider_js(style: str) -> str:
    core = "cdktn" if style == "class-fields" else "cdktf"
    fields = [("host", f"{core}.stringToHclTerraform(this._host)", "false", "simple", "string")]
    body = (f'class DatabricksProvider extends {core}.TerraformProvider {{\n'
            f'    synthesizeHclAttributes() {{\n        const attrs = {{{_hcl(fields)}\n        }};\n'
            '        return attrs;\n    }\n}\n')
    if style == "class-fields":
        return body.replace(" {\n    synth", ' {\n    static tfResourceType = "databricks";\n    synth', 1)
    return body + 'DatabricksProvider.tfResourceType = "databricks";\n'


def _tarball(path: Path, style: str, resources: int, data_sources: int, *, empty: str = "") -> Path:
    """A bindings tarball with ``resources`` resource classes and ``data_sources`` data sources."""
    make = _class_fields_js if style == "class-fields" else _assignment_js
    generator = "cdktn" if style == "class-fields" else "cdktf"
    sources = {"package/lib/provider/index.js": _provider_js(style),
               "package/lib/thing/index.js": _struct_function(generator)}
    for i in range(resources):
        sources[f"package/lib/thing-{i}/index.js"] = make(f"Thing{i}", f"databricks_thing_{i}")
    for i in range(data_sources):
        sources[f"package/lib/data-thing-{i}/index.js"] = make(f"DataDatabricksThing{i}", f"databricks_thing_{i}")
    if empty:
        sources["package/lib/empty/index.js"] = _class_fields_js("Empty", empty, with_fields=False).replace(
            _getters(), "\n").replace('    _settings = new ThingSettingsOutputReference(this, "settings");\n', "")
    assembly = {"types": {f"p.Thing{i}Config": {"datatype": True, "properties": [
        {"name": "name"}, {"name": "tags", "optional": True}, {"name": "settings", "optional": True}]}
        for i in range(resources)}}
    package = {"name": "p", "version": "1.0.0", generator: {"provider": {"version": "9.9.9"}}}
    files = {**sources, "package/package.json": json.dumps(package), "package/.jsii": json.dumps(assembly)}
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("style", ["class-fields", "assignment"])
def test_both_binding_styles_yield_the_same_resource_schema(tmp_path: Path, style: str) -> None:
    bindings = read_bindings(_tarball(tmp_path / "b.tgz", style, 2, 1))
    assert bindings.provider_version == "9.9.9"
    assert bindings.type_names["Thing0"] == "databricks_thing_0"
    assert bindings.classes["Thing0"].complex["settings"].class_name == "ThingSettingsOutputReference"
    schema = provider_schemas(build_schema(bindings, min_resources=1, min_data_sources=1))
    thing = schema["resource_schemas"]["databricks_thing_0"]["block"]
    assert thing["attributes"]["name"] == {"type": "string", "required": True}
    assert thing["attributes"]["tags"] == {"type": ["map", "string"], "optional": True}
    assert thing["attributes"]["url"] == {"type": "string", "computed": True}
    assert thing["block_types"]["settings"]["block"]["attributes"]["workspace_id"]["type"] == "string"
    assert sorted(schema["data_source_schemas"]) == ["databricks_thing_0"]


def test_class_field_and_assignment_styles_agree(tmp_path: Path) -> None:
    a, b = (build_schema(read_bindings(_tarball(tmp_path / f"{s}.tgz", s, 3, 2)), min_resources=1, min_data_sources=1)
            for s in ("class-fields", "assignment"))
    assert a == b


@pytest.mark.parametrize("style", ["class-fields", "assignment"])
def test_too_few_resource_types_fail_loudly(tmp_path: Path, style: str) -> None:
    bindings = read_bindings(_tarball(tmp_path / "b.tgz", style, 3, MIN_DATA_SOURCES))
    with pytest.raises(SchemaBuildError, match=rf"found 3 resource types, fewer than the sane minimum of {MIN_RESOURCE_TYPES}"):
        build_schema(bindings)


def test_too_few_data_sources_fail_loudly(tmp_path: Path) -> None:
    bindings = read_bindings(_tarball(tmp_path / "b.tgz", "class-fields", MIN_RESOURCE_TYPES, 0))
    with pytest.raises(SchemaBuildError, match="found 0 data sources"):
        build_schema(bindings)


def test_a_resource_without_attributes_fails_loudly(tmp_path: Path) -> None:
    bindings = read_bindings(_tarball(tmp_path / "b.tgz", "class-fields", 2, 1, empty="databricks_empty"))
    with pytest.raises(SchemaBuildError, match=r"1 resource\(s\) without attributes \(databricks_empty\)"):
        build_schema(bindings, min_resources=1, min_data_sources=1)


def test_a_cached_schema_is_checked_too(tmp_path: Path) -> None:
    schema = build_schema(read_bindings(_tarball(tmp_path / "b.tgz", "assignment", 2, 1)),
                          min_resources=1, min_data_sources=1)
    with pytest.raises(SchemaBuildError, match="fewer than the sane minimum"):
        check_schema(schema)


def test_installed_bindings_pass_the_check_with_room_to_spare() -> None:
    schemas = provider_schemas(load_schema(use_cache=False))
    assert len(schemas["resource_schemas"]) >= MIN_RESOURCE_TYPES + 30
    assert len(schemas["data_source_schemas"]) >= MIN_DATA_SOURCES + 50
