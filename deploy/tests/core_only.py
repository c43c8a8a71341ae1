#!/usr/bin/env python3
"""Keeps the documents kubernetes-validate has schemas for.

    python3 deploy/tests/core_only.py OUT.yaml FILE...

kubernetes-validate knows Kubernetes' own API groups only; a custom
resource (cert-manager's ClusterIssuer, say) has no schema there. Those are
left out and named on stdout, so what is skipped is always visible.
"""

import sys

import yaml


def is_core(api_version):
    group = api_version.split("/")[0] if "/" in api_version else ""
    return group == "" or "." not in group or group.endswith(".k8s.io")


def main(argv):
    out, files = argv[1], argv[2:]
    kept = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                if is_core(doc["apiVersion"]):
                    kept.append(doc)
                else:
                    print(f"  skipped (custom resource, no schema): {path}: "
                          f"{doc['apiVersion']} {doc['kind']}/{doc['metadata']['name']}")
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump_all(kept, f, sort_keys=False)
    print(f"  {len(kept)} objects to validate")


if __name__ == "__main__":
    main(sys.argv)
