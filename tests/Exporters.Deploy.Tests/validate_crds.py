"""Validates Prometheus Operator resources against the operator's CRD schemas.

Usage: validate_crds.py CRD_DIRECTORY MANIFESTS.yaml

Every document whose apiVersion is monitoring.coreos.com/v1 is checked against the openAPIV3Schema of its kind
with a JSON Schema validator (Debian's python3-jsonschema). The API server also prunes fields a structural schema
does not declare, silently: such a field is reported here as an error, because a misspelt field would otherwise
vanish on apply. Prints one line per problem and "validated N" at the end; exits 1 on any problem.
"""

import glob
import os
import sys

import jsonschema
import yaml


def load_schemas(directory):
    schemas = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path, encoding="utf-8") as handle:
            for crd in yaml.safe_load_all(handle):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                group = crd["spec"]["group"]
                kind = crd["spec"]["names"]["kind"]
                for version in crd["spec"]["versions"]:
                    schemas[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return schemas


def unknown_fields(value, schema, path, problems):
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        for key, item in value.items():
            if properties is not None and key in properties:
                unknown_fields(item, properties[key], f"{path}.{key}", problems)
            elif isinstance(additional, dict):
                unknown_fields(item, additional, f"{path}.{key}", problems)
            elif properties is not None and additional is None and path != "$.metadata":
                problems.append(f"{path}.{key}: unknown field (the API server would drop it)")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            unknown_fields(item, schema["items"], f"{path}[{index}]", problems)


def main():
    schemas = load_schemas(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as handle:
        documents = [d for d in yaml.safe_load_all(handle) if d]
    problems = []
    validated = 0
    for document in documents:
        api_version = document.get("apiVersion", "")
        if not api_version.startswith("monitoring.coreos.com/"):
            continue
        kind = document.get("kind")
        name = document.get("metadata", {}).get("name", "?")
        schema = schemas.get((api_version, kind))
        if schema is None:
            problems.append(f"{kind}/{name}: no schema for {api_version} {kind}")
            continue
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            location = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            problems.append(f"{kind}/{name}: {location}: {error.message}")
        found = []
        unknown_fields(document, schema, "$", found)
        problems.extend(f"{kind}/{name}: {p}" for p in found)
        validated += 1
    for problem in problems:
        print(problem)
    print(f"validated {validated}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
