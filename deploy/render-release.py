#!/usr/bin/env python3
"""Render an overlay with its images set to given references, like
`kustomize edit set image` on a throwaway copy (kubectl alone has no `edit`).

    python3 deploy/render-release.py prod \
        hub=ghcr.io/acme/hub:v1.2.3 hub-web=ghcr.io/acme/hub-web:v1.2.3 > hub.yaml

Each NAME must be an entry of the overlay's `images:`; REF is
registry/name:tag or registry/name@sha256:digest. The repository is not
touched. Needs PyYAML and kubectl (or $KUBECTL) on PATH.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_ref(ref):
    """'reg/name:tag' -> (name, tag, None); 'reg/name@sha256:x' -> (name, None, digest)."""
    if "@" in ref:
        name, digest = ref.split("@", 1)
        return name, None, digest
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon <= slash:
        raise SystemExit(f"render-release: {ref!r} has neither a tag nor a digest")
    return ref[:colon], ref[colon + 1 :], None


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        raise SystemExit(__doc__)
    overlay = argv[1]
    wanted = dict(a.split("=", 1) for a in argv[2:])
    kubectl = os.environ.get("KUBECTL", "kubectl")
    with tempfile.TemporaryDirectory(prefix="hub-release-") as tmp:
        k8s = os.path.join(tmp, "k8s")
        shutil.copytree(os.path.join(HERE, "k8s"), k8s)
        path = os.path.join(k8s, "overlays", overlay, "kustomization.yaml")
        if not os.path.exists(path):
            raise SystemExit(f"render-release: no overlay {overlay!r}")
        with open(path, encoding="utf-8") as f:
            kustomization = yaml.safe_load(f)
        images = {i["name"]: i for i in kustomization.get("images", [])}
        for name, ref in wanted.items():
            if name not in images:
                raise SystemExit(
                    f"render-release: overlay {overlay!r} has no images entry {name!r}"
                )
            new_name, tag, digest = parse_ref(ref)
            entry = {"name": name, "newName": new_name}
            if digest:
                entry["digest"] = digest
            else:
                entry["newTag"] = tag
            images[name].clear()
            images[name].update(entry)
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(kustomization, f, sort_keys=False)
        out = subprocess.run(
            [kubectl, "kustomize", os.path.dirname(path)],
            check=True,
            stdout=subprocess.PIPE,
        ).stdout
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    main(sys.argv)
