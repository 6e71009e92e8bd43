#include "i18n.hpp"

#include <array>
#include <map>

namespace demo {
namespace {

constexpr std::array<Language, 3> offered{{{"en", "English"}, {"fr", "Français"}, {"es", "Español"}}};

// Plain text, never HTML: pages escape whatever t() returns. One column per language above.
using Row = std::array<std::string_view, offered.size()>;
const std::map<std::string_view, Row, std::less<>>& table() {
  static const std::map<std::string_view, Row, std::less<>> rows{
      {"nav.home", {"Shop", "Boutique", "Tienda"}},
      {"nav.cart", {"Cart", "Panier", "Carrito"}},
      {"nav.preferences", {"Preferences", "Préférences", "Preferencias"}},
      {"nav.inspector", {"Session inspector", "Inspecteur de session", "Inspector de sesión"}},
      {"nav.sessions", {"Your sessions", "Vos sessions", "Tus sesiones"}},
      {"nav.login", {"Log in", "Connexion", "Entrar"}},
      {"nav.signup", {"Sign up", "Créer un compte", "Registrarse"}},
      {"nav.logout", {"Log out", "Déconnexion", "Salir"}},
      {"nav.signed_in", {"Signed in as {}", "Connecté : {}", "Conectado como {}"}},
      {"footer",
       {"cortado demo · sessions in {}", "démo cortado · sessions dans {}", "demo de cortado · sesiones en {}"}},
      {"home.title", {"The coffee shop", "La brûlerie", "La cafetería"}},
      {"home.intro",
       {"Everything you do here lives in your session: the cart, the theme, the language, the visit counter.",
        "Tout ce que vous faites ici vit dans votre session : le panier, le thème, la langue, le compteur de visites.",
        "Todo lo que hace aquí vive en su sesión: el carrito, el tema, el idioma, el contador de visitas."}},
      {"home.visits",
       {"Pages viewed in this session: {}", "Pages vues dans cette session : {}", "Páginas vistas en esta sesión: {}"}},
      {"cart.add", {"Add to cart", "Ajouter au panier", "Añadir al carrito"}},
      {"cart.title", {"Your cart", "Votre panier", "Su carrito"}},
      {"cart.empty", {"Your cart is empty.", "Votre panier est vide.", "Su carrito está vacío."}},
      {"cart.item", {"Item", "Article", "Artículo"}},
      {"cart.price", {"Price", "Prix", "Precio"}},
      {"cart.quantity", {"Quantity", "Quantité", "Cantidad"}},
      {"cart.update", {"Update", "Modifier", "Cambiar"}},
      {"cart.remove", {"Remove", "Retirer", "Quitar"}},
      {"cart.total", {"Total", "Total", "Total"}},
      {"cart.added", {"Added {} to your cart.", "{} ajouté au panier.", "{} añadido al carrito."}},
      {"cart.updated", {"Cart updated.", "Panier modifié.", "Carrito actualizado."}},
      {"cart.removed", {"Removed {}.", "{} retiré.", "{} quitado."}},
      {"cart.unknown", {"No such item.", "Article inconnu.", "Artículo desconocido."}},
      {"login.title", {"Log in", "Connexion", "Entrar"}},
      {"signup.title", {"Create an account", "Créer un compte", "Crear una cuenta"}},
      {"form.username", {"Username", "Nom d'utilisateur", "Usuario"}},
      {"form.password", {"Password", "Mot de passe", "Contraseña"}},
      {"login.button", {"Log in", "Se connecter", "Entrar"}},
      {"signup.button", {"Sign up", "Créer le compte", "Registrarse"}},
      {"login.cart_kept",
       {"Your cart comes with you when you log in.", "Votre panier vous suit à la connexion.",
        "Su carrito le acompaña al entrar."}},
      {"login.failed",
       {"Wrong username or password.", "Nom ou mot de passe incorrect.", "Usuario o contraseña incorrectos."}},
      {"login.throttled",
       {"Too many failed attempts. Try again in {} seconds.", "Trop d'échecs. Réessayez dans {} secondes.",
        "Demasiados intentos fallidos. Vuelva a intentarlo en {} segundos."}},
      {"signup.taken", {"That username is taken.", "Ce nom est déjà pris.", "Ese usuario ya existe."}},
      {"signup.bad_name",
       {"Usernames have 3 to 32 letters, digits, '.', '_' or '-'.",
        "Un nom compte 3 à 32 lettres, chiffres, '.', '_' ou '-'.",
        "Un usuario tiene de 3 a 32 letras, cifras, '.', '_' o '-'."}},
      {"signup.bad_password",
       {"Passwords have 8 to 1024 characters.", "Un mot de passe compte 8 à 1024 caractères.",
        "Una contraseña tiene de 8 a 1024 caracteres."}},
      {"signup.welcome",
       {"Welcome, {}! Your account is ready.", "Bienvenue, {} ! Votre compte est prêt.",
        "¡Bienvenido, {}! Su cuenta está lista."}},
      {"login.welcome", {"Welcome back, {}.", "Bon retour, {}.", "Hola de nuevo, {}."}},
      {"logout.done", {"You are logged out.", "Vous êtes déconnecté.", "Ha cerrado la sesión."}},
      {"login.required",
       {"Log in to see that page.", "Connectez-vous pour voir cette page.", "Entre para ver esa página."}},
      {"login.revoked",
       {"This session was logged out from another device.", "Cette session a été fermée depuis un autre appareil.",
        "Esta sesión se cerró desde otro dispositivo."}},
      {"prefs.title", {"Preferences", "Préférences", "Preferencias"}},
      {"prefs.theme", {"Theme", "Thème", "Tema"}},
      {"prefs.light", {"Light", "Clair", "Claro"}},
      {"prefs.dark", {"Dark", "Sombre", "Oscuro"}},
      {"prefs.language", {"Language", "Langue", "Idioma"}},
      {"prefs.save", {"Save", "Enregistrer", "Guardar"}},
      {"prefs.saved", {"Preferences saved.", "Préférences enregistrées.", "Preferencias guardadas."}},
      {"sessions.title", {"Your sessions", "Vos sessions", "Tus sesiones"}},
      {"sessions.intro",
       {"Every browser where you are logged in. Logging one out destroys its session in the store.",
        "Chaque navigateur où vous êtes connecté. En déconnecter un détruit sa session dans le store.",
        "Cada navegador donde ha entrado. Cerrar uno destruye su sesión en el store."}},
      {"sessions.device", {"Device", "Appareil", "Dispositivo"}},
      {"sessions.created", {"Logged in", "Connecté le", "Entrada"}},
      {"sessions.last_seen", {"Last seen", "Vu le", "Visto"}},
      {"sessions.this_one", {"this browser", "ce navigateur", "este navegador"}},
      {"sessions.logout", {"Log out", "Déconnecter", "Cerrar"}},
      {"sessions.logout_others",
       {"Log out everywhere else", "Déconnecter partout ailleurs", "Cerrar en todos los demás"}},
      {"sessions.others_done",
       {"Logged out {} other session(s).", "{} autre(s) session(s) déconnectée(s).",
        "{} otra(s) sesión(es) cerrada(s)."}},
      {"sessions.one_done",
       {"That session is logged out.", "Cette session est déconnectée.", "Esa sesión está cerrada."}},
      {"inspector.title", {"Session inspector", "Inspecteur de session", "Inspector de sesión"}},
      {"error.forbidden", {"Forbidden", "Interdit", "Prohibido"}},
      {"error.csrf",
       {"This form did not come from this site, or it has expired (CSRF token missing or wrong). "
        "Go back, reload the page and try again.",
        "Ce formulaire ne vient pas de ce site ou a expiré (jeton CSRF absent ou faux). "
        "Revenez en arrière, rechargez la page et réessayez.",
        "Este formulario no viene de este sitio o ha caducado (token CSRF ausente o incorrecto). "
        "Vuelva atrás, recargue la página e inténtelo de nuevo."}},
      {"error.not_found", {"Page not found", "Page introuvable", "Página no encontrada"}},
      {"error.title", {"Something went wrong", "Un problème est survenu", "Algo salió mal"}},
      {"error.back", {"Back to the shop", "Retour à la boutique", "Volver a la tienda"}},
  };
  return rows;
}

std::size_t column(std::string_view lang) {
  for (std::size_t i = 0; i < offered.size(); ++i)
    if (offered[i].code == lang) return i;
  return 0;
}

}  // namespace

std::span<const Language> languages() { return offered; }

std::string_view known_language(std::string_view code) { return offered[column(code)].code; }

std::string_view t(std::string_view lang, std::string_view key) {
  auto it = table().find(key);
  return it == table().end() ? key : it->second[column(lang)];
}

const boost::json::object& translations(std::string_view lang) {
  // Built on first use, before any request can race for it (a function-local static).
  static const auto all = [] {
    std::array<boost::json::object, offered.size()> by_language;
    for (std::size_t i = 0; i < offered.size(); ++i) {
      for (const auto& [key, row] : table()) {
        boost::json::object* at = &by_language[i];
        std::string_view rest = key;
        for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
          auto& group = (*at)[rest.substr(0, dot)];
          if (!group.is_object()) group.emplace_object();
          at = &group.get_object();
          rest.remove_prefix(dot + 1);
        }
        (*at)[rest] = row[i];
      }
    }
    return by_language;
  }();
  return all[column(lang)];
}

std::string t(std::string_view lang, std::string_view key, std::string_view arg) {
  std::string text(t(lang, key));
  if (auto at = text.find("{}"); at != std::string::npos) text.replace(at, 2, arg);
  return text;
}

}  // namespace demo
