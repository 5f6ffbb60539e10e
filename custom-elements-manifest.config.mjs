// `npm run analyze`: writes custom-elements.json (the widget's documented public API).
export default {
  globs: ['components/**/*.ts'],
  // Internal modules of the element (its client, controllers, template parts) are no public API.
  exclude: [
    'components/**/translations/*.ts',
    'components/**/controllers/*.ts',
    'components/**/parts/*.ts',
    'components/**/api-client.ts',
    'components/**/draft.ts',
    'components/**/validate.ts',
  ],
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
