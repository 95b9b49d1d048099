# syntax=docker/dockerfile:1
# The exporter host as a sidecar image: one self-contained, trimmed, ReadyToRun binary on a chiseled runtime-deps
# base (no shell, no package manager), running as a non-root user.
#
#   docker build --build-arg SOURCE_REVISION=$(git rev-parse HEAD) -t exporters .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SOURCE_REVISION=
WORKDIR /src
COPY . .
# The same publish command CI runs (scripts/test); its settings live in src/Exporters/Exporters.csproj.
RUN SOURCE_REVISION="$SOURCE_REVISION" scripts/publish /app

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS final
WORKDIR /app
COPY --from=build /app/ /app/
# The chiseled images' unprivileged user.
USER 1654:1654
EXPOSE 9840
ENTRYPOINT ["/app/exporters"]
