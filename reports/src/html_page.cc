// The HTML report's page frame: inline CSS and the scripts that sort and filter the tables
// and draw the timelines. Nothing is fetched: the Content-Security-Policy forbids it.
#include "html_parts.h"

namespace threadlens::reports {
namespace {

constexpr const char* kCss = R"CSS(
:root{--fg:#1d2330;--muted:#5f6b7a;--line:#dfe3ea;--bg:#fff;--soft:#f6f8fb;--red:#c62828;
--orange:#e67e22;--blue:#2f6fd6;--green:#2e7d32}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--bg);margin:0;padding:0 24px 48px}
header.top{border-bottom:1px solid var(--line);padding:16px 0;margin-bottom:16px}
h1{font-size:22px;margin:0}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0 0 6px}h4{font-size:13px;margin:12px 0 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.muted{color:var(--muted)}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 12px}
.count{border:1px solid var(--line);border-radius:6px;padding:6px 10px;background:var(--soft)}
.count b{font-size:18px;margin-right:4px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;white-space:nowrap}
.sev-error{background:#fde7e7;color:var(--red)}.sev-warning{background:#fff1dc;color:#a15c00}.sev-note{background:#e6eefc;color:var(--blue)}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[data-dir=asc]::after{content:" \25B2"}table.sortable th[data-dir=desc]::after{content:" \25BC"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.filters{display:flex;gap:8px;align-items:center;margin:6px 0}
.filters input{padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:4px}
section.finding{border:1px solid var(--line);border-left:4px solid var(--red);border-radius:6px;padding:12px 16px;margin:16px 0}
section.finding.sev-warning-box{border-left-color:var(--orange)}section.finding.sev-note-box{border-left-color:var(--blue)}
.scenario{display:grid;gap:0;border:1px solid var(--line);border-radius:4px;overflow:hidden;margin:6px 0}
.scenario div{padding:3px 10px;border-bottom:1px solid var(--line);min-height:1.6em}
.scenario .hd{background:var(--soft);font-weight:600}.scenario .blocked{color:var(--red);font-weight:600}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:12px}
.side{border:1px solid var(--line);border-radius:4px;padding:8px 10px;background:#fcfdff}
ol.stack{margin:4px 0;padding-left:22px}ol.stack li{margin:1px 0}ol.stack li.lib{color:var(--muted,#6b7280)}ol.stack summary{cursor:pointer}
pre.snippet{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:4px 0;overflow:auto;margin:4px 0}
pre.finding-text{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:8px;overflow:auto}
pre.snippet span{display:block;padding:0 8px}pre.snippet span.hl{background:#ffe3a3;font-weight:600}
.graph,.timeline{overflow:auto;border:1px solid var(--line);border-radius:4px;padding:6px;margin:6px 0;background:#fff}
.graph svg{max-width:100%;height:auto}
details>summary{cursor:pointer;color:var(--blue);margin:6px 0}
.warn{background:#fff6e0;border:1px solid #f3d48a;border-radius:4px;padding:6px 10px;margin:6px 0}
a{color:var(--blue);text-decoration:none}a:hover{text-decoration:underline}
)CSS";

// Sorting (click a header; numbers sort as numbers, data-sort overrides the text) and
// filtering (free text and kind) of the findings tables. No libraries, nothing fetched.
constexpr const char* kJs = R"JS(
(function(){
function key(td){var v=td.getAttribute('data-sort');if(v===null)v=td.textContent.trim();
 var n=Number(v);return (v!==''&&!isNaN(n))?{n:n}:{s:v.toLowerCase()};}
function cmp(a,b){if('n' in a&&'n' in b)return a.n-b.n;var x=('s' in a)?a.s:String(a.n),y=('s' in b)?b.s:String(b.n);return x<y?-1:x>y?1:0;}
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('thead th').forEach(function(th,i){th.addEventListener('click',function(){
  var dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';
  t.querySelectorAll('thead th').forEach(function(o){o.removeAttribute('data-dir');});
  th.setAttribute('data-dir',dir);var tb=t.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
  rows.sort(function(r1,r2){var c=cmp(key(r1.cells[i]),key(r2.cells[i]));return dir==='asc'?c:-c;});
  rows.forEach(function(r){tb.appendChild(r);});});});});
document.querySelectorAll('.filters').forEach(function(f){
 var t=document.getElementById(f.getAttribute('data-table'));var q=f.querySelector('input');var k=f.querySelector('select');
 function apply(){var text=q.value.toLowerCase(),kind=k.value;
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
   var ok=(!kind||r.getAttribute('data-kind')===kind)&&(!text||r.textContent.toLowerCase().indexOf(text)>=0);
   r.style.display=ok?'':'none';});}
 q.addEventListener('input',apply);k.addEventListener('change',apply);});
})();
)JS";

// Draws every timeline from its report's span block (see html_timeline.cc): one lane per
// thread (or per group of threads of one name: its tids in a list), hold and wait bars, the finding's accesses as red marks. Names become text nodes,
// never markup.
constexpr const char* kTimelineJs = R"JS(
(function(){
var NS='http://www.w3.org/2000/svg',cache={};
function el(tag,a,parent,text){var e=document.createElementNS(NS,tag);for(var k in a)e.setAttribute(k,a[k]);
 if(text!==undefined)e.textContent=text;if(parent)parent.appendChild(e);return e;}
function dur(t,tps){var s=t/tps,u=[[1,'s'],[1e-3,'ms'],[1e-6,'us'],[0,'ns']];
 for(var i=0;i<u.length;i++){if(s>=u[i][0]||i==3){var v=i==3?s*1e9:s/u[i][0];
  return (v>=100||i==3?Math.round(v):v.toFixed(v>=10?1:2))+' '+(u[i][1]=='us'?'\u00b5s':u[i][1]);}}}
function data(id){if(cache[id])return cache[id];var j=JSON.parse(document.getElementById(id).textContent);
 var f=j.spans,n=f.length/5,d={end:j.end,tps:j.tps,tid:new Array(n),b:new Array(n),e:new Array(n),
 kind:new Array(n),obj:new Array(n),objects:j.objects,kinds:j.kinds},at=0;
 for(var i=0;i<n;i++){at+=f[5*i+1];d.tid[i]=f[5*i];d.b[i]=at;d.e[i]=at+f[5*i+2];
  d.kind[i]=j.kinds[f[5*i+3]];d.obj[i]=j.objects[f[5*i+4]];}
 return cache[id]=d;}
function draw(div){var d=data(div.getAttribute('data-timeline')),v=JSON.parse(div.getAttribute('data-view'));
 var LW=140,PW=760,LH=26,TOP=22,H=TOP+v.lanes.length*LH+8,W=LW+PW+10,t0=v.window[0],t1=v.window[1];
 if(t1<=t0)t1=t0+1;
 function X(t){t=Math.min(Math.max(t,t0),t1);return LW+(t-t0)*PW/(t1-t0);}
 var svg=el('svg',{'class':'timeline-svg',width:W,height:H,viewBox:'0 0 '+W+' '+H,
  'font-family':'Helvetica,Arial,sans-serif','font-size':11},div);
 el('text',{x:LW,y:12,fill:'#5f6b7a'},svg,t0?dur(t0,d.tps):'0');
 el('text',{x:LW+PW,y:12,'text-anchor':'end',fill:'#5f6b7a'},svg,dur(t1,d.tps));
 var WAITS={'wait':['#e67e22','lock wait'],'cond-wait':['#8e44ad','cond wait'],
  'join':['#7f8c8d','join'],'sem-wait':['#16a085','sem wait'],
  'futex-wait':['#b7950b','futex wait']};
 var seen={};for(var j=0;j<d.kind.length;j++)seen[d.kind[j]]=1;
 var keys=['hold'].concat(Object.keys(WAITS).filter(function(k){return seen[k];}));
 var lx=LW+PW/2-45*keys.length-20,g=el('g',{'class':'legend',fill:'#5f6b7a'},svg);
 keys.forEach(function(k,i){var c=k=='hold'?['#2f6fd6','hold']:WAITS[k];
  el('rect',{x:lx+i*90,y:4,width:14,height:8,fill:c[0]},g);el('text',{x:lx+i*90+18,y:12},g,c[1]);});
 lx+=keys.length*90;
 if(v.focus){el('path',{d:'M'+(lx+10)+' 3 l5 0 l-5 9 l-5 -9 z',fill:'#c62828'},g);
  el('text',{x:lx+20,y:12},g,'this finding');}
 var lane={};
 v.lanes.forEach(function(l,i){var y=TOP+i*LH;
  if(Array.isArray(l[0]))l[0].forEach(function(t){lane[t]=i;});
  else if(l[0]!==null&&!(l[0] in lane))lane[l[0]]=i;
  el('rect',{x:LW,y:y+3,width:PW,height:LH-6,fill:i%2?'#f6f8fb':'#fbfcfe'},svg);
  if(i>0&&l[2]!==v.lanes[i-1][2])el('line',{x1:0,x2:LW+PW,y1:y,y2:y,stroke:'#8a94a6','stroke-dasharray':'4 3'},svg);
  el('text',{x:4,y:y+17},svg,l[1]);});
 var hot={};v.hot.forEach(function(h){hot[h]=1;});
 var drawn=0,skipped=0,n=d.tid.length;
 for(var i=0;i<n;i++){var li=lane[d.tid[i]];if(li===undefined||d.e[i]<t0||d.b[i]>t1)continue;
  if(drawn>=v.max){skipped++;continue;}drawn++;
  var k=d.kind[i],wait=k in WAITS,x=X(d.b[i]),y=TOP+li*LH;
  var r=el('rect',{'class':wait?'wait '+k:'hold',x:x,y:y+(wait?14:6),width:Math.max(1.5,X(d.e[i])-x),height:8,rx:1,
   fill:wait?WAITS[k][0]:k=='hold-shared'?'#8fb5ef':hot[d.obj[i]]?'#2f6fd6':'#9bbbe9'},svg);
  el('title',{},r,k+' '+d.obj[i]+' for '+dur(d.e[i]-d.b[i],d.tps));}
 v.marks.forEach(function(m){var x=X(m[1]),y=TOP+m[0]*LH;
  var p=el('path',{'class':'mark',d:'M'+x+' '+(y+2)+' l5 -0 l-5 9 l-5 -9 z',fill:'#c62828'},svg);
  el('title',{},p,m[2]);
  el('line',{x1:x,x2:x,y1:y+3,y2:y+LH-3,stroke:'#c62828','stroke-width':1.5},svg);});
 if(skipped){var m=document.createElement('div');m.className='muted';
  m.textContent=skipped+' more spans not drawn.';div.appendChild(m);}}
document.querySelectorAll('div.timeline[data-timeline]').forEach(draw);
})();
)JS";

}  // namespace

std::string PageStart(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         // No network: the page may only use what it carries inline.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
         "<title>" +
         H(title) + "</title><style>" + kCss + "</style></head><body>";
}

std::string PageEnd() {
  return std::string("<script>") + kJs + kTimelineJs + "</script></body></html>\n";
}

}  // namespace threadlens::reports
