// `npm run analyze`: writes custom-elements.json (the widget's documented public API).
export default {
  globs: ['components/**/*.ts'],
  exclude: ['components/**/translations/*.ts'],
  outdir: '.',
  litelement: true,
  // package.json is edited by hand (add `"customElements": "custom-elements.json"` there).
  packagejson: false,
  plugins: [
    {
      // Private reactive state (`_name`, `state: true`) is neither an attribute nor public API.
      name: 'drop-private-state',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const declaration of mod.declarations ?? []) {
            if (declaration.attributes) {
              declaration.attributes = declaration.attributes.filter((a) => !a.name.startsWith('_'));
            }
          }
        }
      },
    },
  ],
};
