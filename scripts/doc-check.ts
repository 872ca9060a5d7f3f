// Compiles every ```ts snippet of the package READMEs (and the root README) against
// the built packages, the way libp2p's doc-check does: a README example that no
// longer compiles fails `npm test`.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const out = new URL('test-results/doc-check/', root)
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const readmes = ['README.md']
for (const dir of ['packages', 'apps']) {
  if (!existsSync(new URL(dir, root))) continue
  for (const name of readdirSync(new URL(dir, root))) {
    if (existsSync(new URL(`${dir}/${name}/README.md`, root))) readmes.push(`${dir}/${name}/README.md`)
  }
}
const files: string[] = []
for (const readme of readmes) {
  const text = readFileSync(new URL(readme, root), 'utf8')
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]!)
  blocks.forEach((code, i) => {
    const file = `${readme.replaceAll('/', '_').replace(/\.md$/, '')}_${i}.ts`
    writeFileSync(new URL(file, out), `${code}\nexport {}\n`)
    files.push(file)
  })
}
writeFileSync(new URL('tsconfig.json', out), JSON.stringify({
  extends: '../../tsconfig.base.json',
  compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, incremental: false, lib: ['ES2023', 'DOM'], types: ['node'] },
  files
}, null, 2))
try {
  execFileSync(process.execPath, [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', new URL('tsconfig.json', out).pathname], { stdio: 'inherit' })
} catch {
  console.error('doc-check: a README example does not compile (see above)')
  process.exit(1)
}
console.log(`doc-check: ${files.length} README examples compile`)
