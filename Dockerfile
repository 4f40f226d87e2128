# syntax=docker/dockerfile:1
# A small image that runs the binary directly: no shell in between to
# swallow SIGTERM, no root, no package manager.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Generated code (sqlc, templ) is committed, so no tools run here.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /shopfront ./cmd/shopfront

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /shopfront /shopfront
USER nonroot:nonroot
EXPOSE 8080 9091
CMD ["/shopfront", "serve"]
