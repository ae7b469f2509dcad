// valibot is a dependency of @aiq/config-core, not of the workspace root, so a bare `import "valibot"`
// does not resolve from tests/. Import core's own copy (the same module instance core uses) until the
// root package.json lists valibot as a devDependency; then this file becomes `export * from "valibot"`.
export * from "../../packages/core/node_modules/valibot/dist/index.mjs";
