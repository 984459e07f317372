"""Changing the password signs out every other device and keeps this one."""
import pytest

from tests.auth.pages import NEW_PASSWORD, PASSWORD, sign_in_on_page, submit, visible_text


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, **kwargs):
    data = {"current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm}
    return submit(client, "/account/password", data, **kwargs)


@pytest.fixture()
def signed_in(client, principal):
    sign_in_on_page(client, principal.email)
    return client


def test_password_change_signs_out_other_devices(signed_in, new_client, principal):
    phone = new_client()
    phone.post("/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD})
    change_password(signed_in)
    assert phone.get("/api/v1/auth/me").status_code == 401


def test_password_change_keeps_this_browser_signed_in_and_says_so(signed_in):
    response = change_password(signed_in, follow_redirects=True)
    assert response.status_code == 200
    assert "Your password is changed." in visible_text(response)
    assert signed_in.get("/api/v1/auth/me").status_code == 200


def test_after_a_password_change_only_the_new_password_works(signed_in, new_client, principal):
    change_password(signed_in)
    assert sign_in_on_page(new_client(), principal.email, PASSWORD).status_code == 401
    assert sign_in_on_page(new_client(), principal.email, NEW_PASSWORD).status_code == 302


def test_common_password_is_refused_in_plain_words(signed_in, new_client, principal):
    response = change_password(signed_in, new="password123")
    assert response.status_code == 422
    assert "That password is too common or too easy to guess." in visible_text(response)
    assert sign_in_on_page(new_client(), principal.email, PASSWORD).status_code == 302


def test_short_password_is_refused_with_the_length_rule(signed_in):
    response = change_password(signed_in, new="Xq7!")
    assert response.status_code == 422
    assert "Use at least 10 characters." in visible_text(response)


def test_wrong_current_password_changes_nothing(signed_in, new_client, principal):
    response = change_password(signed_in, current="not my password")
    assert response.status_code == 422
    assert "The current password is not right." in visible_text(response)
    assert sign_in_on_page(new_client(), principal.email, PASSWORD).status_code == 302


def test_mismatched_confirmation_changes_nothing(signed_in, new_client, principal):
    response = change_password(signed_in, confirm=NEW_PASSWORD + "x")
    assert response.status_code == 422
    assert "The two new passwords are not the same." in visible_text(response)
    assert sign_in_on_page(new_client(), principal.email, PASSWORD).status_code == 302


def test_empty_password_form_is_refused_plainly(signed_in):
    response = submit(signed_in, "/account/password", {})
    assert response.status_code == 422
    assert "Fill in all three passwords." in visible_text(response)


def test_password_page_lists_the_rules(signed_in):
    text = visible_text(signed_in.get("/account/password"))
    assert "At least 10 characters." in text
