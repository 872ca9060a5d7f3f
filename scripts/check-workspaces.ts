// Fails when a package folder is missing from the root workspaces list or from the
// TypeScript solution file, or when a workspace depends on one listed after it
// (the list is the build order).
import { existsSync, readFileSync, readdirSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const read = (path: string): any => JSON.parse(readFileSync(new URL(path, root), 'utf8'))
const pkg = read('package.json')
const workspaces: string[] = pkg.workspaces
const solution: string[] = read('tsconfig.json').references.map((r: { path: string }) => r.path)
const problems: string[] = []

for (const dir of ['packages', 'apps', 'e2e']) {
  if (!existsSync(new URL(dir, root))) continue
  const folders = dir === 'e2e' ? [''] : readdirSync(new URL(dir, root), { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name)
  for (const name of folders) {
    const path = name === '' ? dir : `${dir}/${name}`
    if (!existsSync(new URL(`${path}/package.json`, root))) continue
    if (!workspaces.includes(path)) problems.push(`${path} has a package.json but is not in the root "workspaces"`)
    if (existsSync(new URL(`${path}/tsconfig.json`, root)) && !solution.includes(path)) problems.push(`${path} has a tsconfig.json but is not referenced by the root tsconfig.json`)
  }
}
const names = new Map<string, number>()
workspaces.forEach((ws, i) => {
  if (!existsSync(new URL(`${ws}/package.json`, root))) problems.push(`workspace ${ws} has no package.json`)
  else names.set(read(`${ws}/package.json`).name, i)
})
workspaces.forEach((ws, i) => {
  if (!existsSync(new URL(`${ws}/package.json`, root))) return
  const p = read(`${ws}/package.json`)
  for (const dep of Object.keys({ ...p.dependencies, ...p.devDependencies })) {
    const at = names.get(dep)
    if (at !== undefined && at > i) problems.push(`${ws} depends on ${dep}, which comes later in "workspaces" (the build order)`)
  }
})
if (problems.length > 0) {
  for (const p of problems) console.error(`check:ws: ${p}`)
  process.exit(1)
}
console.log(`check:ws: ${workspaces.length} workspaces in order, all referenced`)
