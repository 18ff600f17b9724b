// Item page: a product image opens full size in a modal dialog (Escape or "Close" shuts it, focus goes
// back to the image). Without script the same link opens the image file itself.
(function () {
  const dialog = document.getElementById('zoom-dialog');
  if (!dialog || typeof dialog.showModal !== 'function') return;
  const big = dialog.querySelector('img');
  document.querySelectorAll('a[data-zoom]').forEach((link) => {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const small = link.querySelector('img');
      big.src = link.href;
      big.alt = small ? small.alt : '';
      dialog.showModal();
    });
  });
  // A click on the backdrop (outside the picture and the button) closes it too.
  dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
})();
