# syntax=docker/dockerfile:1
# The production image, built by `fly deploy` on Fly's builders. It holds the
# static binary and three small files on an empty base: no shell to swallow
# SIGTERM, no root, no package manager.
#
# The file tree comes from the same command that builds the image without
# Docker (`go run ./cmd/image`, see docs/deploy.md), so both ways give the
# same files, user, ports and command; cmd/image's tests keep them in step.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Generated code (sqlc, templ) is committed, so no tools run here. The
# binary is built for the image's platform (Fly's machines are amd64).
ARG TARGETARCH
RUN go run ./cmd/image -rootfs /rootfs -arch "${TARGETARCH:-amd64}"

FROM scratch
COPY --from=build /rootfs /
USER 65532:65532
EXPOSE 8080 9091
CMD ["/shopfront", "serve"]
