// 扫码评价 on the phone ticket page: once the ticket is finished the status stream carries a rating
// token (ticket-live.ts); this script shows the five national levels, the reasons for 1–2, and
// posts once. Served as a file: the page's CSP allows only same-origin scripts.
export const RATE_JS = `(() => {
  const box = document.getElementById('rate');
  const main = document.getElementById('status');
  if (!box || !main) return;
  const id = main.dataset.id;
  const LEVELS = [[5, '非常满意'], [4, '满意'], [3, '基本满意'], [2, '不满意'], [1, '非常不满意']];
  const REASONS = [['attitude', '态度'], ['efficiency', '效率'], ['unfamiliar', '业务不熟'], ['cumbersome', '流程繁琐'], ['other', '其他']];
  let shown = '';
  let level = 0;
  function say(html) { box.hidden = false; box.innerHTML = html; }
  function form() {
    say('<h2 id="rate-title">扫码评价</h2><p>请对本次服务进行评价（每次办件评价一次）</p><div class="lv">' +
      LEVELS.map(([l, t]) => '<button type="button" data-level="' + l + '">' + t + '</button>').join('') + '</div>' +
      '<div class="why" hidden><p>请选择不满意的原因</p>' + REASONS.map(([k, t]) => '<label><input type="checkbox" value="' + k + '"> ' + t + '</label>').join('') +
      '<button type="button" class="send">提交评价</button></div><p class="msg" role="status"></p>');
  }
  async function send(token) {
    const reasons = [...box.querySelectorAll('.why input:checked')].map((i) => i.value);
    const msg = box.querySelector('.msg');
    try {
      const r = await fetch('/api/v1/tickets/' + encodeURIComponent(id) + '/rating', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, level, reasons }),
      });
      const body = await r.json().catch(() => ({}));
      if (r.ok) { shown = 'rated'; say('<h2 id="rate-title">扫码评价</h2><p class="big" role="status">感谢您的评价！</p>'); }
      else msg.textContent = (body.error && body.error.message) || '评价未成功，请稍后再试';
    } catch { msg.textContent = '网络中断，评价未成功，请稍后再试'; }
  }
  window.hallqTicket = {
    rate(s) {
      if (s.rated && shown !== 'rated') { shown = 'rated'; say('<h2 id="rate-title">扫码评价</h2><p>本次办件已评价，感谢您的支持</p>'); return; }
      if (!s.rate || shown) return;
      shown = 'form';
      form();
      const token = s.rate.token;
      box.querySelectorAll('[data-level]').forEach((b) => b.addEventListener('click', () => {
        level = Number(b.dataset.level);
        box.querySelectorAll('[data-level]').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
        if (level <= 2) box.querySelector('.why').hidden = false;
        else send(token);
      }));
      box.querySelector('.send').addEventListener('click', () => {
        if (!box.querySelector('.why input:checked')) { box.querySelector('.msg').textContent = '请至少选择一个原因'; return; }
        send(token);
      });
    },
  };
  // the status script may have rendered before this file arrived (both are deferred; a status fetch can land between them)
  if (window.hallqLastStatus) window.hallqTicket.rate(window.hallqLastStatus);
})();
`;
