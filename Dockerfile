# syntax=docker/dockerfile:1
# citebot: a static binary on a minimal base, running as a non-root user.
# Two images: the default target (`docker build .`) has no OCR; the `ocr`
# target (`docker build --target ocr -t citebot:ocr .`) adds Debian's
# Tesseract (Simplified and Traditional Chinese, English) and poppler's
# pdftoppm, so scanned PDFs and photos of pages can be read.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/citebot ./cmd/citebot \
 && mkdir -p /out/data

FROM debian:bookworm-slim AS ocr
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng poppler-utils \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/citebot /usr/local/bin/citebot
COPY --from=build --chown=65532:65532 /out/data /data
ENV CITEBOT_DATA_DIR=/data \
    CITEBOT_ADMIN_ADDR=:9090
VOLUME ["/data"]
EXPOSE 9090
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/citebot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/citebot"]
CMD ["serve"]

# The default image, built last so that `docker build .` picks it.
FROM gcr.io/distroless/static-debian12:nonroot AS default
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
