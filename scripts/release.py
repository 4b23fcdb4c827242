#!/usr/bin/env python3
"""Packs a built provider binary the way the Terraform registry ships providers.

Writes, into OUT (default dist/):

  terraform-provider-cams_VERSION_OS_ARCH.zip   the binary as terraform-provider-cams_vVERSION
  terraform-provider-cams_VERSION_SHA256SUMS    sha256sum format, of the zips and the manifest
  terraform-provider-cams_VERSION_manifest.json the plugin protocol versions the binary speaks
  mirror/registry.terraform.io/local/cams/      a provider mirror, both
      index.json, VERSION.json                    - the network mirror protocol, for any static
                                                    HTTPS host (an OSS or S3 bucket, a web server)
      terraform-provider-cams_VERSION_OS_ARCH.zip - the packed layout of a filesystem_mirror

With --mirror DIR the release is added to an existing mirror (a copy of the
bucket) instead, keeping the versions and platforms it already serves.

File names and contents follow what goreleaser writes for the registry
(https://developer.hashicorp.com/terraform/registry/providers/publishing) and
the provider network mirror protocol
(https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol).

The archive bytes depend only on the binary: one entry, a fixed timestamp,
fixed Unix permissions, deflate at a fixed level (the same bytes as long as
Python's zlib is the same). Uses only the standard library.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import zipfile

PROVIDER_TYPE = "cams"
# The provider's source address (README: "Provider source address").
HOSTNAME, NAMESPACE = "registry.terraform.io", "local"
# What the plugin offers in its handshake (src/plugin: protocol 6, then 5).
PROTOCOL_VERSIONS = ["6.0", "5.0"]
# The earliest time a zip header can hold; the same for every build.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# -rwxr-xr-x regular file, in the high 16 bits as Unix zip tools store it.
EXECUTABLE_ATTRS = (0o100755) << 16
ZIP_MADE_ON_UNIX = 3
# zlib's default, as Go's archive/zip (goreleaser) uses: level 9 took 4.6x as
# long on the debug binary for 0.8% less.
DEFLATE_LEVEL = 6


def host_platform():
    """Terraform's name for this machine's platform, e.g. linux_amd64."""
    machine = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    return f"{sys.platform}_{machine}"


def crate_version(cargo_toml):
    """The version of the root package in Cargo.toml."""
    text = open(cargo_toml, encoding="utf-8").read()
    package = text.split("[package]", 1)[1]
    return re.search(r'^version\s*=\s*"([^"]+)"', package, re.M).group(1)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(binary, zip_path, entry_name):
    info = zipfile.ZipInfo(entry_name, date_time=ZIP_EPOCH)
    info.create_system = ZIP_MADE_ON_UNIX
    info.external_attr = EXECUTABLE_ATTRS
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(binary, "rb") as f:
        data = f.read()
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(info, data, compresslevel=DEFLATE_LEVEL)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


class MirrorConflict(Exception):
    pass


def read_json(path, default):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def add_to_mirror(mirror_root, version, platform_name, zip_path):
    """Adds one archive to a mirror, keeping every version and platform it
    already serves.

    A version's archive never changes once published: every lock file that
    recorded its hash would refuse the new one. A different archive for a
    version and platform the mirror already has is refused, before anything
    is written.
    """
    provider_dir = os.path.join(mirror_root, HOSTNAME, NAMESPACE, PROVIDER_TYPE)
    zip_name = os.path.basename(zip_path)
    zh = f"zh:{sha256_file(zip_path)}"
    index_path = os.path.join(provider_dir, "index.json")
    version_path = os.path.join(provider_dir, f"{version}.json")
    index = read_json(index_path, {"versions": {}})
    listing = read_json(version_path, {"archives": {}})
    published = listing["archives"].get(platform_name)
    if published is not None and zh not in published.get("hashes", []):
        raise MirrorConflict(
            f"{version_path} already lists a different archive for {version} {platform_name} "
            f"({', '.join(published.get('hashes', []))}; this build is {zh}). Lock files that "
            f"recorded the published one would refuse it: give this build a new version in Cargo.toml."
        )
    os.makedirs(provider_dir, exist_ok=True)
    shutil.copyfile(zip_path, os.path.join(provider_dir, zip_name))
    # "zh:" is Terraform's hash of a provider's zip archive as distributed:
    # the hex SHA-256 of the file. The URL is relative to VERSION.json.
    listing["archives"][platform_name] = {"url": zip_name, "hashes": [zh]}
    index["versions"].setdefault(version, {})
    write_json(version_path, listing)
    write_json(index_path, index)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", help="the built terraform-provider-cams")
    parser.add_argument("--out", default="dist", help="output directory (replaced)")
    parser.add_argument(
        "--mirror",
        help="an existing mirror (e.g. a copy of the bucket) to add this release to, "
        "keeping its other versions and platforms; default: a new one in OUT/mirror",
    )
    parser.add_argument("--version", help="default: the version in Cargo.toml")
    parser.add_argument(
        "--platform",
        default=host_platform(),
        help="OS_ARCH the binary was built for (default: this machine's)",
    )
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    version = args.version or crate_version(os.path.join(root, "Cargo.toml"))
    if not re.fullmatch(r"[a-z0-9]+_[a-z0-9]+", args.platform):
        sys.exit(f"release.py: --platform must look like linux_amd64, not {args.platform!r}")
    out = os.path.abspath(args.out)
    mirror = os.path.abspath(args.mirror) if args.mirror else os.path.join(out, "mirror")
    if args.mirror and (mirror + os.sep).startswith(out + os.sep):
        sys.exit(f"release.py: --mirror {args.mirror} is inside --out {args.out}, which is replaced")
    name = f"terraform-provider-{PROVIDER_TYPE}"
    prefix = f"{name}_{version}"

    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)

    zip_name = f"{prefix}_{args.platform}.zip"
    zip_path = os.path.join(out, zip_name)
    write_archive(args.binary, zip_path, f"{name}_v{version}")

    manifest_name = f"{prefix}_manifest.json"
    write_json(
        os.path.join(out, manifest_name),
        {"version": 1, "metadata": {"protocol_versions": PROTOCOL_VERSIONS}},
    )
    sums = {name: sha256_file(os.path.join(out, name)) for name in (zip_name, manifest_name)}
    with open(os.path.join(out, f"{prefix}_SHA256SUMS"), "w", encoding="utf-8") as f:
        for file_name in sorted(sums):
            f.write(f"{sums[file_name]}  {file_name}\n")

    try:
        add_to_mirror(mirror, version, args.platform, zip_path)
    except MirrorConflict as conflict:
        sys.exit(f"release.py: {conflict}")

    listed = [out] if (mirror + os.sep).startswith(out + os.sep) else [out, mirror]
    for top in listed:
        for directory, _, files in sorted(os.walk(top)):
            for file_name in sorted(files):
                path = os.path.join(directory, file_name)
                print(f"{os.path.getsize(path):>10}  {os.path.relpath(path, os.path.dirname(top))}")


if __name__ == "__main__":
    main()
