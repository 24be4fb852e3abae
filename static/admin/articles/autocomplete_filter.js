// The article list's autocomplete filters: choosing an entry reloads the list filtered by it; clearing removes it.
'use strict';
{
    const $ = django.jQuery;
    $(document).on('change', 'select[data-filter-param]', function () {
        const params = new URLSearchParams(window.location.search);
        const name = this.dataset.filterParam;
        params.delete(name);
        params.delete('p');
        if (this.value) {
            params.set(name, this.value);
        }
        window.location.search = params.toString();
    });
}
