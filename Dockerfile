# syntax=docker/dockerfile:1
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the service's runtime dependencies need none, and this keeps the build the
# same whichever npm the base image carries (npm 11.19+ gates scripts by package.json's allowScripts).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json mikro-orm.config.ts ./
COPY src ./src
# Only src is compiled: tsconfig.json also names test/ (specs, the npm run dev runner, the WAHA
# simulator), which .dockerignore keeps out of the context, so none of it reaches the image.
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/mikro-orm.config.js ./dist/
COPY package.json ./
# The local media store's default folder (MEDIA_DIR=./.data/media) must be writable by the
# service's user; mount a volume there to keep files across containers (compose uses S3 instead).
RUN mkdir -p /app/.data/media && chown -R node:node /app/.data
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
