// Find similar: polls the image-search job and draws the garments found with their matches.
(function () {
  const section = document.getElementById('similar-results');
  const job = section.dataset.job;
  const status = section.querySelector('.status');
  const colors = ['#e4572e', '#29335c', '#17bebb', '#ffc914'];
  const regionNames = {upper: 'Top', lower: 'Bottom', full: 'Full-length', null: 'Garment'};

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(result) {
    const layout = section.querySelector('.similar-layout');
    const img = layout.querySelector('img');
    const svg = layout.querySelector('svg');
    img.src = `/api/v1/jobs/${job}/files/query.jpg`;
    svg.setAttribute('viewBox', `0 0 ${result.width} ${result.height}`);
    const list = layout.querySelector('.garments');
    if (!result.garments.length) list.append(el('p', {}, 'We could not find a garment in this photo.'));
    result.garments.forEach((garment, n) => {
      const [x0, y0, x1, y1] = garment.box;
      const color = colors[n % colors.length];
      const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      svg.append(rect);
      [['x', x0], ['y', y0], ['width', x1 - x0], ['height', y1 - y0], ['stroke', color]]
        .forEach(([k, v]) => rect.setAttribute(k, v));
      const block = el('section', {class: 'garment'});
      const heading = el('h2', {}, regionNames[garment.region] || 'Garment');
      heading.style.borderLeft = `6px solid ${color}`;  // CSSOM: a style attribute would break the CSP
      block.append(heading);
      const grid = el('div', {class: 'grid small'});
      garment.matches.forEach((match) => {
        const card = el('a', {class: 'card', href: `/catalog/${match.id}/`});
        card.append(el('img', {src: match.image, alt: match.title, loading: 'lazy'}));
        card.append(el('h3', {}, match.title));
        card.append(el('p', {class: 'meta'}, `Similarity ${match.score.toFixed(2)}`));
        grid.append(card);
      });
      if (!garment.matches.length) grid.append(el('p', {}, 'No close match in the catalog.'));
      block.append(grid);
      list.append(block);
    });
    layout.hidden = false;
  }

  async function poll() {
    const response = await fetch(`/api/v1/jobs/${job}`, {headers: {Accept: 'application/json'}});
    const data = await response.json();
    if (!response.ok) { status.textContent = data.error ? data.error.message : 'Something went wrong.'; return; }
    status.querySelector('progress') && (status.querySelector('progress').value = data.progress);
    if (data.status === 'succeeded') { status.textContent = 'Done.'; show(data.result); return; }
    if (data.status === 'failed' || data.status === 'cancelled') {
      status.textContent = data.error || `The search was ${data.status}.`; status.setAttribute('role', 'alert'); return;
    }
    setTimeout(poll, 700);
  }
  poll();
})();
