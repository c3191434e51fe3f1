/* Toggles the main menu on small screens. */
document.querySelector('.menu-toggle')?.addEventListener('click', function () {
  document.getElementById('site-navigation').classList.toggle('toggled');
});
