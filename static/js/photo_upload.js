// Show the chosen file before it is sent; nothing leaves the browser until Upload.
document.querySelector('input[type=file]').addEventListener('change', function (event) {
  const file = event.target.files[0];
  const figure = document.querySelector('.preview');
  if (!file) { figure.hidden = true; return; }
  document.getElementById('photo-preview').src = URL.createObjectURL(file);
  figure.hidden = false;
});
