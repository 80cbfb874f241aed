# Home Assistant app image: Alpine base with s6 (init: true in config.yaml makes Docker's init the
# parent of node, so SIGTERM and stdin reach the app directly).
FROM ghcr.io/home-assistant/base:3.24

RUN apk add --no-cache nodejs npm

WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# Native serialport binding must be built for musl.
RUN apk add --no-cache --virtual .build build-base python3 linux-headers \
    && npm ci \
    && npm rebuild @serialport/bindings-cpp --build-from-source \
    && apk del .build
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

LABEL io.hass.type="app" io.hass.version="0.1.0" io.hass.arch="aarch64|amd64"

ENTRYPOINT []
CMD ["node", "/app/dist/src/main.js"]
