// Try-on studio: start a job through the API, follow its progress, then save, download or share.
(function () {
  const form = document.getElementById('studio');
  if (!form) return;
  const csrf = form.dataset.csrf;
  const $ = (id) => document.getElementById(id);
  const button = $('try-on');
  let jobId = null;

  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json'},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = response.status === 204 ? {} : await response.json();
    if (!response.ok) throw new Error(readable(data.error));
    return {data, status: response.status};
  }

  // The API's message names the field ("engine: ..."); a shopper needs only the sentence.
  function readable(error) {
    if (!error) return 'Something went wrong.';
    const fieldMessage = error.fields && Object.values(error.fields).flat()[0];
    return typeof fieldMessage === 'string' ? fieldMessage : error.message;
  }

  // One job at a time: the button stays disabled until the job ends, however it ends.
  function busy(on) {
    button.disabled = on;
    button.textContent = on ? 'Trying on…' : 'Try on';
  }

  function fail(message) {
    busy(false);
    $('progress').hidden = true;
    $('studio-error').textContent = message;
    $('studio-error').hidden = false;
  }

  function showResult(job) {
    busy(false);
    const person = form.querySelector('input[name=person]:checked');
    const resultUrl = `/api/v1/jobs/${job.id}/files/result.jpg`;
    $('before').src = person.parentElement.querySelector('img').src;
    $('after').src = resultUrl;
    $('download').href = resultUrl;
    $('progress').hidden = true;
    $('result').hidden = false;
    $('result').scrollIntoView({block: 'start'});  // on a phone the form is long: show what came of it
  }

  // What is left, in words: from the pace so far once the job has moved, else from the engine's
  // recent runs on this server (data-seconds, from the page).
  function estimate(job, startedAt, typical) {
    const elapsed = (Date.now() - startedAt) / 1000;
    if (job.progress <= 10 && elapsed > typical) return 'Taking a little longer than usual…';
    const left = job.progress > 10 ? elapsed * (100 - job.progress) / job.progress : typical - elapsed;
    if (left < 1.5) return 'Almost done…';
    return `About ${Math.ceil(left)} seconds left.`;
  }

  function describe(job, startedAt, typical) {
    if (job.status === 'queued') return `Getting ready to start… ${estimate(job, startedAt, typical)}`;
    return `Dressing you: ${job.progress}% done. ${estimate(job, startedAt, typical)}`;
  }

  function show(job, startedAt, typical) {
    $('progress').querySelector('progress').value = job.progress;
    $('progress').querySelector('.status').textContent = describe(job, startedAt, typical);
  }

  async function follow(startedAt, typical) {
    const job = (await api('GET', `/api/v1/jobs/${jobId}`)).data;
    show(job, startedAt, typical);
    if (job.status === 'succeeded') return showResult(job);
    if (job.status === 'failed' || job.status === 'cancelled') return fail(job.error || `The try-on was ${job.status}.`);
    setTimeout(() => follow(startedAt, typical).catch((e) => fail(e.message)), 600);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    $('studio-error').hidden = true;
    $('result').hidden = true;
    $('result-message').hidden = true;
    const engine = form.querySelector('input[name=engine]:checked') || form.querySelector('input[name=engine]');
    const body = {engine: engine.value};
    const person = form.querySelector('input[name=person]:checked');
    if (!person) return fail('Choose a photo of yours or a sample model first.');
    const [kind, value] = person.value.split(':');
    if (kind === 'photo') body.photo_id = Number(value); else body.sample = value;
    ['top', 'bottom', 'dress'].forEach((slot) => {
      const picked = form.querySelector(`input[name=${slot}_id]:checked`);
      if (picked && picked.value) body[`${slot}_id`] = Number(picked.value);
    });
    busy(true);
    try {
      const job = (await api('POST', '/api/v1/tryon', body)).data;
      jobId = job.id;
      const startedAt = Date.now(), typical = Number(engine.dataset.seconds) || 5;
      show(job, startedAt, typical);
      $('progress').hidden = false;
      await follow(startedAt, typical);
    } catch (error) { fail(error.message); }
  });

  function say(message, ok = true) {
    const box = $('result-message');
    box.className = `message ${ok ? 'success' : 'error'}`;
    box.textContent = message;
    box.hidden = false;
  }

  // 201: saved now; 200: the API answers the outfit saved before (the same items), nothing new is made.
  $('save').addEventListener('click', async () => {
    try {
      const {status} = await api('POST', '/api/v1/combinations', {job_id: jobId});
      say(status === 201 ? 'Saved to your outfits.' : 'This outfit is already in your outfits.');
    } catch (error) { say(error.message, false); }
  });

  $('share').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('share-email').value;
    try { await api('POST', `/api/v1/tryon/${jobId}/share`, {email}); say(`Sent to ${email}.`); }
    catch (error) { say(error.message, false); }
  });
})();
