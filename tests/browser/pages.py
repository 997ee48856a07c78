"""Steps the browser tests share."""

from playwright.sync_api import Browser, Page, expect

from evillage.accounts.tests.factories import PASSWORD


def logged_in(browser: Browser, url: str, login: str, name: str) -> Page:
    """A new browser (own cookies) signed in as this person."""
    page = browser.new_context(locale="en-US").new_page()
    page.goto(url + "/accounts/login/")
    page.get_by_label("Phone number or email").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    return page
