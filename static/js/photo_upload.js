// Show the chosen file before it is sent; nothing leaves the browser until Upload.
const photoInput = document.querySelector('input[type=file]');

function showPreview() {
  const file = photoInput.files[0];
  const figure = document.querySelector('.preview');
  if (!file) { figure.hidden = true; return; }
  document.getElementById('photo-preview').src = URL.createObjectURL(file);
  figure.hidden = false;
}

photoInput.addEventListener('change', showPreview);
// A file can already be chosen when this script runs: picked while the page was still loading,
// or restored by the browser on Back. Show it too.
showPreview();
