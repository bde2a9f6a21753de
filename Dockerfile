# syntax=docker/dockerfile:1
# citebot: a static binary on a minimal base, running as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/citebot ./cmd/citebot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /usr/local/bin/citebot
COPY --from=build --chown=65532:65532 /out/data /data
ENV CITEBOT_DATA_DIR=/data \
    CITEBOT_ADMIN_ADDR=:9090
VOLUME ["/data"]
EXPOSE 9090
USER 65532:65532
# No shell in the image: the binary checks its own admin endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/citebot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/citebot"]
CMD ["serve"]
