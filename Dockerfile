# Home Assistant app image. Built by the supervisor on the user's machine (no prebuilt image yet), which
# passes BUILD_ARCH and BUILD_VERSION. Two stages: the first compiles TypeScript and the serialport
# binding (against musl, with the tool chain), the second holds only Node, the production dependencies
# and the compiled app. config.yaml has `init: true`: Docker's init starts node directly (ENTRYPOINT
# cleared below, no s6), so SIGTERM and the stdin of hassio.app_stdin reach the app.
FROM ghcr.io/home-assistant/base:3.24 AS build

RUN apk add --no-cache nodejs npm build-base python3 linux-headers
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci
COPY src ./src
RUN npm run build \
    && npm prune --omit=dev \
    && npm rebuild @serialport/bindings-cpp --build-from-source \
    && rm -rf node_modules/@serialport/bindings-cpp/prebuilds \
    && node -e "require('@serialport/bindings-cpp').autoDetect()"

FROM ghcr.io/home-assistant/base:3.24

# Node 20 is end of life; the image runs 22 or 24 (whichever this Alpine ships) and refuses anything else.
RUN apk add --no-cache nodejs \
    && node -e "const m = Number(process.versions.node.split('.')[0]); if (m !== 22 && m !== 24) { console.error('Node ' + process.version + ' is not 22 or 24'); process.exit(1); }"
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The dashboard's page (tsc does not copy it); uPlot comes with node_modules.
COPY --from=build /app/src/web/static ./dist/src/web/static

ARG BUILD_ARCH=amd64
ARG BUILD_VERSION=0.1.0
LABEL io.hass.name="Modbus Optimizer" \
      io.hass.description="Polls Modbus devices only as often as their values change" \
      io.hass.type="app" \
      io.hass.version="${BUILD_VERSION}" \
      io.hass.arch="${BUILD_ARCH}"

ENTRYPOINT []
# `npm start` without its build step.
CMD ["node", "dist/src/main.js"]
