// npm run gen:catalogue — writes src/catalogue.ts from the loaded addon's
// catalogue() (see src/catalogue-render.ts).
import fs from 'node:fs';
import path from 'node:path';

import { renderCatalogue } from '../catalogue-render.js';
import { addon, packageRoot } from '../native.js';

const out = path.join(packageRoot, 'src', 'catalogue.ts');
fs.writeFileSync(out, renderCatalogue(addon.catalogue()));
console.log(`wrote ${path.relative(packageRoot, out)} (${addon.catalogue().designs.length} designs)`);
