/** The pages' one stylesheet, served at /assets/site.css (no inline styles: the CSP forbids them). */
export const SITE_CSS = `
@font-face { font-family: "Noto Nastaliq Urdu"; font-style: normal; font-weight: 400; font-display: swap; src: url(/assets/fonts/noto-nastaliq-urdu-arabic-400-normal.woff2) format("woff2"); unicode-range: U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0897-08E1, U+08E3-08FF, U+200C-200E, U+2010-2011, U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC; }
@font-face { font-family: "Noto Nastaliq Urdu"; font-style: normal; font-weight: 700; font-display: swap; src: url(/assets/fonts/noto-nastaliq-urdu-arabic-700-normal.woff2) format("woff2"); unicode-range: U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0897-08E1, U+08E3-08FF, U+200C-200E, U+2010-2011, U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC; }
html[lang="ur"] body { font-family: "Noto Nastaliq Urdu", system-ui, sans-serif; line-height: 2.1; }
:root { --ink: #1b1f24; --muted: #4a5560; --line: #c9d1d9; --bg: #ffffff; --accent: #0b5394; --focus: #ffbf47; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.0625rem/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Nastaliq Urdu", sans-serif; color: var(--ink); background: var(--bg); }
.wrap { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
a { color: var(--accent); }
/* Dates and codes read left to right, also inside Urdu text. */
time { direction: ltr; unicode-bidi: isolate; }
bdi { unicode-bidi: isolate; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; top: 0; inset-inline-start: 0; transform: translateY(-120%); background: var(--ink); color: #fff; padding: .5rem 1rem; }
.skip:focus { transform: none; }
header.site { background: #0b3d6b; color: #fff; padding: .75rem 0; }
header.site a { color: #fff; }
header.site .wrap { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem; }
.brand { margin: 0; font-weight: 700; }
.brand span { font-weight: 400; opacity: .9; margin-inline-start: .5rem; }
nav ul, footer ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
main { padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: .5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
form.search { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; padding: 1rem; border: 1px solid var(--line); border-radius: 6px; }
.field { display: flex; flex-direction: column; gap: .25rem; flex: 1 1 14rem; }
label { font-weight: 600; }
input, select, button { font: inherit; padding: .5rem .6rem; border: 2px solid var(--muted); border-radius: 4px; background: #fff; color: var(--ink); }
button { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
.error { color: #a4001d; font-weight: 600; margin: .25rem 0 0; }
.count { color: var(--muted); }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 0 0 1rem; }
.card h2 { margin-top: 0; }
.meta { color: var(--muted); margin: 0 0 .5rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .5rem 1rem; margin: .5rem 0; }
.facts dt { font-size: .9rem; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .9rem; font-weight: 700; border: 2px solid; }
.badge-active, .badge-valid { background: #e6f4ea; color: #0d5a26; border-color: #0d5a26; }
.badge-suspended, .badge-not-yet-effective { background: #fff4e0; color: #7a4100; border-color: #7a4100; }
.badge-revoked, .badge-expired, .badge-surrendered, .badge-not-found { background: #fdecee; color: #8a0016; border-color: #8a0016; }
.verdict { margin-top: 1.5rem; padding: 1rem; border-radius: 6px; border: 3px solid; }
.verdict-valid { border-color: #0d5a26; background: #f3faf5; }
.verdict-invalid { border-color: #8a0016; background: #fff7f8; }
.verdict h2 { margin-top: 0; }
.timeline { padding-inline-start: 1.25rem; }
.timeline li { margin: .25rem 0; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
figure.chart { margin: 1.5rem 0; overflow-x: auto; }
figure.chart img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
table.data { border-collapse: collapse; width: 100%; margin: 1rem 0; }
table.data caption { text-align: start; font-weight: 700; padding: .5rem 0; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .4rem .6rem; text-align: start; }
table.data .num { text-align: end; font-variant-numeric: tabular-nums; }
footer.site { border-top: 1px solid var(--line); padding: 1rem 0 2rem; color: var(--muted); }
footer.site h2 { font-size: 1.1rem; color: var(--ink); }
@media (max-width: 40rem) { h1 { font-size: 1.4rem; } form.search { flex-direction: column; align-items: stretch; } }
`;
