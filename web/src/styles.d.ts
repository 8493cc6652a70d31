// esbuild bundles the stylesheet that main.jsx imports; to the type checker it is a module with nothing in it.
declare module "*.css";
