# syntax=docker/dockerfile:1
# The one `hub` image: every role is `hub <role>` (DESIGN §1).
#   docker build -t hub .
# Base images are pinned by tag, not digest: no registry is reachable from the
# machines this was written on, so no digest could be looked up. Pin digests
# (`image:tag@sha256:...`) once a build has run where the registry answers.
# The Rust tag must equal rust-toolchain.toml's channel (deploy/check.sh checks).

FROM rust:1.95.0-slim-trixie AS chef
# cargo-chef turns the workspace's manifests into a recipe, so the
# dependencies build in a layer of their own that only Cargo.lock and the
# Cargo.toml files invalidate.
RUN cargo install cargo-chef --locked --version 0.1.77
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked -p hub --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p hub \
    && install -m 0755 target/release/hub /usr/local/bin/hub

FROM debian:trixie-slim AS runtime
# ca-certificates: SMTP over TLS (lettre) and any https callback.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin hub
COPY --from=builder /usr/local/bin/hub /usr/local/bin/hub
# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
ENV HUB_LOG_FORMAT=json \
    HUB_HTTP__ADDR=0.0.0.0:8080 \
    HUB_METRICS__ADDR=0.0.0.0:9090
# 8080: the API (or a worker's probes); 9090: Prometheus metrics only.
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/hub"]
CMD ["--help"]
