# syntax=docker/dockerfile:1
# The exporter as a sidecar image: one Native AOT executable on a chiseled runtime-deps base (no shell, no package
# manager, no .NET runtime), running as a non-root user. Targets:
#
#   docker build -t exporters .                                    the stock exporter, port 9840 (the default target)
#   docker build --target redis_exporter -t redis-exporter .       started as redis_exporter: its flags, variables, port 9121
#   docker build --target elasticsearch_exporter -t es-exporter .  started as elasticsearch_exporter: port 9114
#   docker build --target jit -t exporters:jit .                   the JIT flavour, which loads --plugins.dir
#
# Pass --build-arg SOURCE_REVISION=$(git rev-parse HEAD) to stamp the commit into exporter_build_info.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SOURCE_REVISION=
# Native AOT links with the platform toolchain.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same publish command CI runs (scripts/check-release); its settings live in src/Exporters/Exporters.csproj.
RUN SOURCE_REVISION="$SOURCE_REVISION" scripts/publish /app

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build-jit
ARG SOURCE_REVISION=
WORKDIR /src
COPY . .
RUN SOURCE_REVISION="$SOURCE_REVISION" scripts/publish --jit /app

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS jit
WORKDIR /app
COPY --from=build-jit /app/ /app/
USER 1654:1654
EXPOSE 9840
ENTRYPOINT ["/app/exporters"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS redis_exporter
WORKDIR /app
COPY --from=build /app/ /app/
USER 1654:1654
EXPOSE 9121
ENTRYPOINT ["/app/redis_exporter"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS elasticsearch_exporter
WORKDIR /app
COPY --from=build /app/ /app/
USER 1654:1654
EXPOSE 9114
ENTRYPOINT ["/app/elasticsearch_exporter"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS final
WORKDIR /app
COPY --from=build /app/ /app/
# The chiseled images' unprivileged user.
USER 1654:1654
EXPOSE 9840
ENTRYPOINT ["/app/exporters"]
