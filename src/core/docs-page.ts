// A self-contained page rendering /openapi.json (no external scripts: gateways often run
// where browsers cannot reach a CDN).
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dicot API</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#222}
h2{margin-top:2rem;border-bottom:1px solid #ddd}
details{margin:.3rem 0;border:1px solid #e3e3e3;border-radius:4px;padding:.3rem .6rem}
summary{cursor:pointer}code.m{display:inline-block;width:4.5rem;font-weight:bold}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.patch{color:#a60}.delete{color:#c22}.head{color:#666}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}
</style></head><body>
<h1>Dicot API</h1><p id="info">Loading <a href="openapi.json">openapi.json</a>…</p><div id="ops"></div>
<script>
fetch('openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('info').textContent=doc.info.title+' '+doc.info.version+' — '+(doc.info.description||'');
  const byTag={};
  for(const [path,item] of Object.entries(doc.paths||{}))for(const [method,op] of Object.entries(item)){
    const tag=(op.tags&&op.tags[0])||'other';(byTag[tag]=byTag[tag]||[]).push({path,method,op});}
  const root=document.getElementById('ops');
  for(const tag of Object.keys(byTag).sort()){
    const h=document.createElement('h2');h.textContent=tag;root.appendChild(h);
    for(const {path,method,op} of byTag[tag]){
      const d=document.createElement('details');const s=document.createElement('summary');
      const m=document.createElement('code');m.className='m '+method;m.textContent=method.toUpperCase();
      s.appendChild(m);s.appendChild(document.createTextNode(' '+path+(op.summary?' — '+op.summary:'')));
      d.appendChild(s);const pre=document.createElement('pre');pre.textContent=JSON.stringify(op,null,2);
      d.appendChild(pre);root.appendChild(d);}
  }
}).catch(e=>{document.getElementById('info').textContent='Could not load openapi.json: '+e});
</script></body></html>`;
