// Try-on studio: start a job through the API, follow its progress, then save, download or share.
(function () {
  const form = document.getElementById('studio');
  if (!form) return;
  const csrf = form.dataset.csrf;
  const $ = (id) => document.getElementById(id);
  let jobId = null;

  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json'},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = response.status === 204 ? {} : await response.json();
    if (!response.ok) throw new Error(readable(data.error));
    return data;
  }

  // The API's message names the field ("engine: ..."); a shopper needs only the sentence.
  function readable(error) {
    if (!error) return 'Something went wrong.';
    const fieldMessage = error.fields && Object.values(error.fields).flat()[0];
    return typeof fieldMessage === 'string' ? fieldMessage : error.message;
  }

  function fail(message) {
    $('progress').hidden = true;
    $('studio-error').textContent = message;
    $('studio-error').hidden = false;
  }

  function showResult(job) {
    const photo = form.querySelector('input[name=photo_id]:checked');
    const resultUrl = `/api/v1/jobs/${job.id}/files/result.jpg`;
    $('before').src = photo.nextElementSibling.src;
    $('after').src = resultUrl;
    $('download').href = resultUrl;
    $('progress').hidden = true;
    $('result').hidden = false;
  }

  async function follow() {
    const job = await api('GET', `/api/v1/jobs/${jobId}`);
    $('progress').querySelector('progress').value = job.progress;
    $('progress').querySelector('.status').textContent = job.stage ? `Working: ${job.stage}…` : 'Waiting for a worker…';
    if (job.status === 'succeeded') return showResult(job);
    if (job.status === 'failed' || job.status === 'cancelled') return fail(job.error || `The try-on was ${job.status}.`);
    setTimeout(() => follow().catch((e) => fail(e.message)), 600);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    $('studio-error').hidden = true;
    $('result').hidden = true;
    const body = {engine: form.engine.value};
    const photo = form.querySelector('input[name=photo_id]:checked');
    if (!photo) return fail('Choose one of your photos first.');
    body.photo_id = Number(photo.value);
    ['top', 'bottom', 'dress'].forEach((slot) => {
      const value = form[`${slot}_id`].value;
      if (value) body[`${slot}_id`] = Number(value);
    });
    try {
      const job = await api('POST', '/api/v1/tryon', body);
      jobId = job.id;
      $('progress').hidden = false;
      await follow();
    } catch (error) { fail(error.message); }
  });

  function say(message, ok = true) {
    const box = $('result-message');
    box.className = `message ${ok ? 'success' : 'error'}`;
    box.textContent = message;
    box.hidden = false;
  }

  $('save') && $('save').addEventListener('click', async () => {
    try { await api('POST', '/api/v1/combinations', {job_id: jobId}); say('Saved to your outfits.'); }
    catch (error) { say(error.message, false); }
  });

  $('share') && $('share').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('share-email').value;
    try { await api('POST', `/api/v1/tryon/${jobId}/share`, {email}); say(`Sent to ${email}.`); }
    catch (error) { say(error.message, false); }
  });
})();
