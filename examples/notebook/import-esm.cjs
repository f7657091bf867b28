// tslab compiles every cell to CommonJS, so `import` in a cell becomes `require`, and the
// shapetex packages are ES modules only (their exports have no `require` condition). A real
// import() from a real module file is the one way in; it resolves names from this folder up,
// i.e. through the workspace's node_modules.
module.exports = (specifier) => import(specifier);
